import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MEMORY_SCRIPT } from "../support/mcp-servers.ts";
import { ended } from "../support/processes.ts";

const BIN = fileURLToPath(new URL("../../bin/flowgate.js", import.meta.url));
const HEAP_FLAG = "--max-semi-space-size=8";
const CONFIG = JSON.stringify({
  mcpServers: { memory: { command: process.execPath, args: [MEMORY_SCRIPT] } },
  gateway: { port: 3000, domain: "localhost", agentId: "heap-flags-agent" },
});

/** Starts bin/flowgate.js with the configuration on stdin; resolves once the client configuration is printed. */
async function serve(nodeArgs: string[], env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    [...nodeArgs, BIN, "--config-stdin", "--listen", "127.0.0.1:0", "--log-dir", join(mkdtempSync(join(tmpdir(), "flowgate-heap-flags-")), "logs")],
    { env: { ...process.env, FLOWGATE_NODE_FLAGS: "", NODE_OPTIONS: "", ...env }, stdio: ["pipe", "pipe", "pipe"] },
  );
  const output = { stdout: "", stderr: "" };
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output.stderr += chunk));
  child.stdin.end(CONFIG);
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output.stdout += chunk;
      if (output.stdout.endsWith("}\n")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`flowgate exited with ${code} before serving:\n${output.stderr}`)));
  });
  return { child, output };
}

interface Case {
  setting: string;
  nodeArgs: string[];
  env: Record<string, string>;
  /** The --max-semi-space-size arguments of the process that serves. */
  expected: string[];
  signal: NodeJS.Signals;
}

describe.skipIf(!existsSync("/proc/self/cmdline"))("the gateway process's V8 heap flags", () => {
  it.each<Case>([
    { setting: "none", nodeArgs: [], env: {}, expected: [HEAP_FLAG], signal: "SIGTERM" },
    { setting: "none", nodeArgs: [], env: {}, expected: [HEAP_FLAG], signal: "SIGINT" },
    { setting: "FLOWGATE_NODE_FLAGS=off", nodeArgs: [], env: { FLOWGATE_NODE_FLAGS: "off" }, expected: [], signal: "SIGTERM" },
    { setting: "the user's own in NODE_OPTIONS", nodeArgs: [], env: { NODE_OPTIONS: "--max-semi-space-size=16" }, expected: [], signal: "SIGTERM" },
    {
      setting: "the user's own as a node argument",
      nodeArgs: ["--max-semi-space-size=2"],
      env: {},
      expected: ["--max-semi-space-size=2"],
      signal: "SIGTERM",
    },
  ])(
    "are $expected with $setting, in the same process, reading the configuration from stdin, printing once and draining on $signal",
    async ({ nodeArgs, env, expected, signal }) => {
      const { child, output } = await serve(nodeArgs, env);
      const commandLine = readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0");
      await ended(child, signal);
      expect(commandLine.filter((arg) => arg.startsWith("--max-semi-space-size"))).toEqual(expected);
      expect(output.stdout.match(/"mcpServers"/g)).toHaveLength(1);
      expect(JSON.parse(output.stdout)).toMatchObject({ mcpServers: { memory: {} } });
      expect(output.stderr.match(/Shutting down gateway/g)).toHaveLength(1);
      expect(child.exitCode).toBe(0);
    },
  );

  it("refuses a FLOWGATE_NODE_FLAGS value other than off, with exit code 1 and what to set instead", async () => {
    const child = spawn(process.execPath, [BIN, "--version"], { env: { ...process.env, FLOWGATE_NODE_FLAGS: "--max-semi-space-size=8" } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('FLOWGATE_NODE_FLAGS="--max-semi-space-size=8" is not understood');
    expect(stderr).toContain("NODE_OPTIONS");
    expect(stdout).toBe("");
  });
});
