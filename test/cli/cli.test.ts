import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { VERSION } from "../../src/cli/version.ts";

const VERSION_LINE = `MCPG Gateway ${VERSION}\n`;

const run = promisify(execFile);

/** A Node older than 22 on this machine's PATH outside node_modules (a system Node), if there is one. */
function olderNode(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const candidate = join(dir, "node");
    if (dir.includes("node_modules") || !existsSync(candidate)) continue;
    const version = execFileSync(candidate, ["-p", "process.versions.node"], { encoding: "utf8" });
    if (Number(version.split(".")[0]) < 22) return candidate;
  }
  return undefined;
}
const OLDER_NODE = olderNode();

function capture() {
  const io = { stdout: "", stderr: "" };
  return { io, cli: { out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) } };
}

describe("flowgate CLI", () => {
  it.each([["--version"], ["-V"], ["--config-stdin", "--version"]])(
    "prints the reference's version line for %s, whatever the binary is called",
    async (...flags) => {
      for (const name of ["flowgate", "awmg"]) {
        const { io, cli } = capture();
        expect(await main(["node", name, ...flags], cli)).toBe(0);
        expect(io.stdout).toBe(VERSION_LINE);
        expect(io.stderr).toBe("");
      }
    },
  );

  it("prints usage with the option list for --help", async () => {
    const { io, cli } = capture();
    expect(await main(["node", "flowgate", "--help"], cli)).toBe(0);
    expect(io.stdout).toMatch(/^Usage: flowgate/);
    expect(io.stdout).toContain(`flowgate ${VERSION}, a drop-in replacement for gh-aw-mcpg (also installed as awmg).`);
    expect(io.stdout).toContain("--version");
  });

  it("rejects an unknown option with exit code 1 and points at --help", async () => {
    const { io, cli } = capture();
    expect(await main(["node", "flowgate", "--no-such-flag"], cli)).toBe(1);
    expect(io.stderr).toContain("unknown option '--no-such-flag'");
    expect(io.stderr).toContain("flowgate --help");
  });

  it.each([
    [
      "an unknown --guards-mode",
      ["--guards-mode", "loose", "--guard-wasm", "/dev/null"],
      "invalid --guards-mode flag: unknown enforcement mode: loose (valid modes: strict, filter, propagate)",
    ],
    ["no guard to load", ["--listen", "127.0.0.1:0"], "no guard: pass --guard-wasm <file.wasm>"],
    ["a --listen without a port", ["--listen", "localhost", "--guard-wasm", "/dev/null"], 'invalid --listen "localhost": expected host:port'],
    [
      "a --github-api-url that is not a URL",
      ["--github-api-url", "api.example.com", "--guard-wasm", "/dev/null"],
      "invalid GitHub API URL (invalid URL): expected an http:// or https:// URL",
    ],
    [
      "a --github-api-url that is not http(s), its credential unquoted",
      ["--github-api-url", "ftp://user:hunter2@api.example.com", "--guard-wasm", "/dev/null"],
      "invalid GitHub API URL ftp://***@api.example.com: expected an http:// or https:// URL",
    ],
  ])("refuses to start the proxy with %s, exit code 1 and the reason", async (_name, extra, message) => {
    const { io, cli } = capture();
    const guardsDir = process.env["MCP_GATEWAY_WASM_GUARDS_DIR"];
    process.env["MCP_GATEWAY_WASM_GUARDS_DIR"] = "";
    try {
      expect(await main(["node", "awmg", "proxy", ...extra], cli)).toBe(1);
    } finally {
      if (guardsDir === undefined) delete process.env["MCP_GATEWAY_WASM_GUARDS_DIR"];
      else process.env["MCP_GATEWAY_WASM_GUARDS_DIR"] = guardsDir;
    }
    expect(io.stderr).toContain(message);
    expect(io.stdout).toBe("");
  });

  it("runs as an executable through its bin entry", async () => {
    const bin = new URL("../../bin/flowgate.js", import.meta.url).pathname;
    const { stdout } = await run(process.execPath, [bin, "--version"]);
    expect(stdout).toBe(VERSION_LINE);
  });

  it.skipIf(OLDER_NODE === undefined)(
    `tells a Node older than 22 which Node it needs, with exit code 1 (${OLDER_NODE ?? "skipped: no such Node on this machine's PATH"})`,
    async () => {
      const bin = new URL("../../bin/flowgate.js", import.meta.url).pathname;
      const failed = await run(OLDER_NODE!, [bin, "--version"]).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toMatch(/^flowgate needs Node 22 or newer .* This is Node v\d+\./);
      expect(failed?.stderr).not.toContain("SyntaxError");
      expect(failed?.stdout).toBe("");
    },
  );
});
