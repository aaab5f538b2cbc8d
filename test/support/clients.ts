// Real MCP clients from npm (MCP Inspector's CLI, mcp-remote) run as child processes against a
// gateway, each in a home of its own so that nothing they store (OAuth state, catalogues) leaks
// between runs or into the user's home.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "./gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "./mcp-servers.ts";

const modules = new URL("../../node_modules/", import.meta.url);
export const INSPECTOR_BIN = fileURLToPath(new URL("@modelcontextprotocol/inspector/clients/launcher/build/index.js", modules));
export const MCP_REMOTE_BIN = fileURLToPath(new URL("mcp-remote/dist/proxy.js", modules));

/** The environment of a client run: a fresh home, secrets kept in memory, no browser opened. */
export function clientEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), "flowgate-client-home-"));
  const inherited = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return {
    ...inherited,
    HOME: home,
    MCP_INSPECTOR_SECRET_STORE: "memory",
    MCP_REMOTE_CONFIG_DIR: join(home, "mcp-auth"),
    BROWSER: "false",
    ...extra,
  };
}

export interface ClientRun {
  /** null when the run was killed at its time limit. */
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs `node script args` with stdin closed; a run still going after `limitMs` is killed. */
export function runClient(script: string, args: string[], env: Record<string, string>, limitMs: number): Promise<ClientRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ["ignore", "pipe", "pipe"], timeout: limitMs, killSignal: "SIGKILL" });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr, elapsedMs: performance.now() - started }));
  });
}

/** A gateway in each mode in front of server-everything, for a client from npm to reach it. */
export interface ModeGateways {
  /** The URL a client opens in `mode`, and the prefix the gateway puts on tool and prompt names there. */
  endpoint(mode: string): { url: string; prefix: string };
  stop(): Promise<void>;
}

export async function startModeGateways(apiKey: string): Promise<ModeGateways> {
  const gateways = new Map<string, RunningGateway>();
  for (const mode of ["routed", "unified"] as const) {
    gateways.set(mode, await runGateway(gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT)], { agentId: apiKey }), runtimeOptions({ mode })));
  }
  return {
    endpoint(mode) {
      const gateway = gateways.get(mode)!;
      return mode === "routed" ? { url: gateway.entry("everything").url, prefix: "" } : { url: `${gateway.baseUrl}/mcp`, prefix: "everything___" };
    },
    stop: async () => {
      await Promise.all([...gateways.values()].map((gateway) => gateway.stop()));
    },
  };
}
