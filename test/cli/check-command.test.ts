import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { childPids } from "../support/processes.ts";

const dir = mkdtempSync(join(tmpdir(), "flowgate-check-"));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const ECHO_GUARD = fileURLToPath(new URL("../../guards/echo-labels/build/echo-labels.wasm", import.meta.url));
// A server that would run until killed, were it started: check must leave no such process behind.
const MARKER = "check-command-backend";
const SERVER = `[servers.backend]\ncommand = ${JSON.stringify(process.execPath)}\nargs = ["-e", "setInterval(() => {}, 1000)", "${MARKER}"]\n`;
const guard = (path: string, policy = '[guards.labels.policy.allow-only]\nrepos = "all"\nmin-integrity = "none"\n') =>
  `guard = "labels"\n[guards.labels]\ntype = "wasm"\npath = ${JSON.stringify(path)}\n${policy}`;

async function check(args: string[], stdin = "") {
  const output = { stdout: "", stderr: "" };
  const code = await main(["node", "flowgate", "check", ...args], {
    out: (text) => void (output.stdout += text),
    err: (text) => void (output.stderr += text),
    stdin: Readable.from([stdin]),
  });
  return { code, ...output };
}

describe("flowgate check", () => {
  it.each([
    [
      "a TOML file with a WASM guard and its policy",
      () => ["--config", file("ok.toml", `${SERVER}${guard(ECHO_GUARD)}`)],
      "",
      0,
      /valid, 1 server\(s\)\n {2}backend: guard labels\n/,
      undefined,
    ],
    [
      "a guard without a policy, with a warning that noop stands in",
      () => ["--config", file("no-policy.toml", `${SERVER}${guard(ECHO_GUARD, "")}`)],
      "",
      0,
      /backend: guard noop/,
      `Warning: server "backend": guard 'labels' has no policy to enforce`,
    ],
    [
      "JSON on stdin",
      () => ["--config-stdin"],
      JSON.stringify({ mcpServers: { s: { container: "img" } }, gateway: { port: 3000, domain: "localhost", agentId: "a" } }),
      0,
      /^stdin: valid, 1 server\(s\)/,
      undefined,
    ],
    ["an unknown field", () => ["--config", file("unknown.toml", `[gateway]\nno_such_field = 1\n${SERVER}`)], "", 1, /^$/, "no_such_field"],
    [
      "a guard module that does not exist",
      () => ["--config", file("missing.toml", `${SERVER}${guard(join(dir, "missing.wasm"))}`)],
      "",
      1,
      /^$/,
      `failed to register guard for server "backend"`,
    ],
    [
      "a guard file that is not WebAssembly",
      () => ["--config", file("not-wasm.toml", `${SERVER}${guard(file("text.wasm", "not a module"))}`)],
      "",
      1,
      /^$/,
      "failed to load WASM guard 'labels'",
    ],
    ["invalid JSON on stdin", () => ["--config-stdin"], "{", 1, /^$/, "invalid configuration stdin"],
    ["no configuration at all", () => [], "", 1, /^$/, "pass --config <file.toml> or --config-stdin"],
  ])("checks %s, starting nothing", async (_case, args, stdin, code, stdout, stderr) => {
    const run = await check(args(), stdin);
    expect(run.code, run.stderr).toBe(code);
    expect(run.stdout).toMatch(stdout);
    if (stderr === undefined) expect(run.stderr).toBe("");
    else expect(run.stderr).toContain(stderr);
    expect(childPids(MARKER)).toEqual([]);
  });
});
