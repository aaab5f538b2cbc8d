// Runs the MCP conformance suite (server mode) twice: against server-everything directly (its
// own streamable HTTP mode) and against flowgate in routed mode in front of server-everything
// over stdio. Prints one row per scenario with both outcomes, and exits 1 when a scenario that
// passes directly fails through flowgate.
//
// The suite cannot send headers, so a small proxy adds flowgate's Authorization to each request
// (and keeps the Host header, which the dns-rebinding scenario varies).

import { execFile, spawn } from "node:child_process";
import { createServer, request } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DEFAULT_LIMITS } from "../src/config/defaults.ts";
import { loadTomlConfig } from "../src/config/toml-loader.ts";
import type { RuntimeOptions } from "../src/config/types.ts";
import { createGateway } from "../src/gateway/index.ts";
import type { GatewayLogger } from "../src/log/types.ts";

const run = promisify(execFile);
const modules = new URL("../node_modules/@modelcontextprotocol/", import.meta.url);
const everything = fileURLToPath(new URL("server-everything/dist/index.js", modules));
const conformance = fileURLToPath(new URL("conformance/dist/index.js", modules));

type Outcome = { passed: number; failed: number };

async function main(): Promise<number> {
  const direct = await runSuite(await everythingOverHttp());
  const viaFlowgate = await runSuite(await flowgateInFront());
  const scenarios = [...new Set([...direct.keys(), ...viaFlowgate.keys()])];
  const cell = (outcome: Outcome | undefined) => (outcome === undefined ? "-" : outcome.failed === 0 ? "pass" : "FAIL");
  const width = Math.max(...scenarios.map((s) => s.length));
  process.stdout.write(`${"scenario".padEnd(width)}  direct  flowgate\n`);
  const regressions: string[] = [];
  for (const scenario of scenarios) {
    const a = cell(direct.get(scenario));
    const b = cell(viaFlowgate.get(scenario));
    if (a === "pass" && b !== "pass") regressions.push(scenario);
    process.stdout.write(`${scenario.padEnd(width)}  ${a.padEnd(6)}  ${b}${a === "pass" && b !== "pass" ? "   <- regression" : ""}\n`);
  }
  const count = (results: Map<string, Outcome>) => [...results.values()].filter((o) => o.failed === 0).length;
  const checks = (results: Map<string, Outcome>) => {
    const all = [...results.values()];
    const passed = all.reduce((sum, o) => sum + o.passed, 0);
    return `${passed}/${passed + all.reduce((sum, o) => sum + o.failed, 0)}`;
  };
  process.stdout.write(`\nscenarios passed: direct ${count(direct)}/${scenarios.length}, flowgate ${count(viaFlowgate)}/${scenarios.length}\n`);
  process.stdout.write(`checks passed:    direct ${checks(direct)}, flowgate ${checks(viaFlowgate)}\n`);
  if (regressions.length > 0) process.stdout.write(`regressions through flowgate: ${regressions.join(", ")}\n`);
  return regressions.length === 0 ? 0 : 1;
}

/** Runs the whole server suite against `target` and stops it; scenario → outcome. */
async function runSuite(target: { url: string; stop(): Promise<void> }): Promise<Map<string, Outcome>> {
  try {
    const { stdout } = await run(process.execPath, [conformance, "server", "--url", target.url], { maxBuffer: 64 * 1024 * 1024 }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }),
    );
    const results = new Map<string, Outcome>();
    for (const match of stdout.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed$/gmu)) {
      results.set(match[1]!, { passed: Number(match[2]), failed: Number(match[3]) });
    }
    if (results.size === 0) throw new Error(`no conformance summary in the output:\n${stdout}`);
    return results;
  } finally {
    await target.stop();
  }
}

async function everythingOverHttp(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [everything, "streamableHttp"], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening on port")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`server-everything exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    },
  };
}

async function flowgateInFront(): Promise<{ url: string; stop(): Promise<void> }> {
  // Through the real TOML loader, so the gateway runs with the defaults a user would get.
  const config = loadTomlConfig(
    `[gateway]
agent_id = "conformance-agent"
force_public_repos = false

[servers.everything]
command = ${JSON.stringify(process.execPath)}
args = [${JSON.stringify(everything)}]
`,
    {},
  );
  const runtime: RuntimeOptions = {
    configSource: "conformance",
    listenHost: "127.0.0.1",
    listenPort: 0,
    mode: "routed",
    logDir: "/tmp",
    verbosity: 0,
    guardsMode: "strict",
    sinkServerIds: [],
    urlDomainAudit: false,
    sessionTimeoutMs: 60_000,
    shutdownTimeoutMs: 5_000,
    limits: DEFAULT_LIMITS,
  };
  const gateway = await createGateway(config, runtime, { io: { out: () => undefined, err: () => undefined }, logger: silentLogger, enforcement: false });
  const proxy = createServer((req, res) => {
    const forwarded = request(
      { host: "127.0.0.1", port: gateway.port, path: req.url, method: req.method, headers: { ...req.headers, authorization: gateway.agentId } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on("error", () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mcp/everything`,
    stop: async () => {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      await gateway.close(1000);
    },
  };
}

const silentLogger: GatewayLogger = {
  log: () => undefined,
  server: () => undefined,
  rpc: () => undefined,
  difcFiltered: () => undefined,
  tools: () => undefined,
  close: async () => undefined,
};

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

process.exitCode = await main();
