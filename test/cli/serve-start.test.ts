import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { EVERYTHING_SCRIPT } from "../support/mcp-servers.ts";
import { childPids } from "../support/processes.ts";

const dir = mkdtempSync(join(tmpdir(), "flowgate-serve-start-"));

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function serverToml(script: string, ...args: string[]): string {
  return `[servers.backend]\ncommand = ${JSON.stringify(process.execPath)}\nargs = ${JSON.stringify([script, ...args])}\n`;
}

/** Runs the real CLI (the gateway in this process), capturing its output. */
function flowgate(...args: string[]) {
  const output = { stdout: "", stderr: "" };
  let printed: () => void = () => undefined;
  const documentPrinted = new Promise<void>((resolve) => (printed = resolve));
  const exit = main(["node", "flowgate", ...args, "--listen", "127.0.0.1:0", "--log-dir", join(dir, "logs")], {
    out: (text) => {
      output.stdout += text;
      printed();
    },
    err: (text) => void (output.stderr += text),
  });
  return { output, exit, documentPrinted };
}

describe("flowgate serve start-up", () => {
  // A server that would run until killed: any process spawned for it is still there afterwards.
  const marker = "serve-start-invalid";
  const idle = serverToml("-e", "setInterval(() => {}, 1000)", marker);

  it.each([
    ["an unknown field", `[gateway]\nno_such_field = 1\n${idle}`, "no_such_field"],
    ["a guard that is not declared", `${idle}guard = "undeclared"\n`, "undeclared"],
    ["a TOML syntax error", `${idle}[servers.other\n`, "failed to load config"],
  ])("fails with exit 1 and spawns no backend process for a configuration with %s", async (name, toml, mention) => {
    const { output, exit } = flowgate("--config", configFile(`${name}.toml`, toml));
    expect(await exit).toBe(1);
    expect(output.stderr).toContain("failed to load config");
    expect(output.stderr).toContain(mention);
    expect(output.stdout).toBe("");
    expect(childPids(marker)).toEqual([]);
  });

  it("discovers a valid configuration's backend and serves the first session", async () => {
    const running = "serve-start-valid";
    const config = configFile("valid.toml", `[gateway]\nagent_id = "start-agent"\n${serverToml(EVERYTHING_SCRIPT, "stdio", running)}`);
    const { output, exit, documentPrinted } = flowgate("--config", config);
    await documentPrinted;
    const entry = (JSON.parse(output.stdout) as { mcpServers: Record<string, { url: string; headers: Record<string, string> }> }).mcpServers["backend"]!;
    // Discovery is done and its connection (over the process spawned at start) closed before the gateway listens.
    expect(childPids(running)).toEqual([]);
    expect(output.stderr).toMatch(/Starting MCPG in ROUTED mode on 127\.0\.0\.1:\d+/);

    const client = new Client({ name: "test", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } }));
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain("echo");
      expect((await client.callTool({ name: "echo", arguments: { message: "hello" } })).content).toEqual([{ type: "text", text: "Echo: hello" }]);
      expect(childPids(running)).toHaveLength(1);
    } finally {
      await client.close();
      const closed = await fetch(new URL("/close", entry.url), { method: "POST", headers: entry.headers });
      expect(closed.status).toBe(200);
    }
    expect(await exit).toBe(0);
    expect(childPids(running)).toEqual([]);
  });

  it("prints one line per server at start, and /health gives a failed server's reason", async () => {
    const broken = `[servers.broken]\ncommand = ${JSON.stringify(process.execPath)}\nargs = ["-e", "process.exit(3)"]\n`;
    const config = configFile("one-fails.toml", `[gateway]\nagent_id = "start-agent"\n${serverToml(EVERYTHING_SCRIPT, "stdio")}${broken}`);
    const { output, exit, documentPrinted } = flowgate("--config", config);
    await documentPrinted;
    const entry = (JSON.parse(output.stdout) as { mcpServers: Record<string, { url: string; headers: Record<string, string> }> }).mcpServers["backend"]!;
    try {
      expect(output.stderr).toMatch(/ Server backend: up: \d+ tools in \d+ ms\n/);
      const reason = /Server broken: failed: (.+)\n/.exec(output.stderr)?.[1];
      expect(reason).toBeDefined();
      const health = (await (await fetch(new URL("/health", entry.url))).json()) as { servers: Record<string, { status: string; error?: string }> };
      expect(health.servers["broken"]).toMatchObject({ status: "error", error: reason });
      expect(health.servers["backend"]?.status).toBe("running");
      expect(health.servers["backend"]).not.toHaveProperty("error");
    } finally {
      await fetch(new URL("/close", entry.url), { method: "POST", headers: entry.headers });
    }
    expect(await exit).toBe(0);
  });

  const echoGuard = fileURLToPath(new URL("../../guards/echo-labels/build/echo-labels.wasm", import.meta.url));

  it("warns, naming server and guard, when a guard without a policy leaves its server with the noop guard, and shows it in /health", async () => {
    const guard = `[guards.labels]\ntype = "wasm"\npath = ${JSON.stringify(echoGuard)}\n`;
    const config = configFile("no-policy.toml", `[gateway]\nagent_id = "start-agent"\n${serverToml(EVERYTHING_SCRIPT, "stdio")}guard = "labels"\n${guard}`);
    const { output, exit, documentPrinted } = flowgate("--config", config);
    await documentPrinted;
    const entry = (JSON.parse(output.stdout) as { mcpServers: Record<string, { url: string; headers: Record<string, string> }> }).mcpServers["backend"]!;
    try {
      expect(output.stderr).toContain(`Warning: server "backend": guard 'labels' has no policy to enforce: the server runs with the noop guard`);
      const health = (await (await fetch(new URL("/health", entry.url))).json()) as {
        servers: Record<string, { guard?: { name: string; fallback?: string } }>;
      };
      expect(health.servers["backend"]?.guard).toMatchObject({ name: "noop", fallback: expect.stringContaining("guard 'labels' has no policy to enforce") });
    } finally {
      await fetch(new URL("/close", entry.url), { method: "POST", headers: entry.headers });
    }
    expect(await exit).toBe(0);
  });

  it("fails at start for a guard without a policy whose module cannot be loaded, as it does for one with a policy", async () => {
    const missing = join(dir, "no-such-guard.wasm");
    const config = configFile(
      "missing-guard.toml",
      `${serverToml(EVERYTHING_SCRIPT, "stdio")}guard = "labels"\n[guards.labels]\ntype = "wasm"\npath = ${JSON.stringify(missing)}\n`,
    );
    const { output, exit } = flowgate("--config", config);
    expect(await exit).toBe(1);
    expect(output.stderr).toContain(`failed to register guard for server "backend"`);
    expect(output.stderr).toContain(missing);
    expect(output.stdout).toBe("");
  });
});
