import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
});
