import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { builtGuardPath } from "../support/guards.ts";

async function flowgate(...args: string[]) {
  const io = { stdout: "", stderr: "" };
  const code = await main(["node", "flowgate", "guard", ...args], {
    out: (t) => void (io.stdout += t),
    err: (t) => void (io.stderr += t),
  });
  return { code, ...io };
}

const scripted = builtGuardPath("edge-cases", "scripted");

describe("flowgate guard inspect", () => {
  it("prints imports, exports with signatures, memory limits and a valid verdict", async () => {
    const { code, stdout } = await flowgate("inspect", scripted);
    expect(code).toBe(0);
    expect(stdout).toContain("env.call_backend function (i32,i32,i32,i32,i32,i32)->(i32)");
    expect(stdout).toContain("label_agent function (i32,i32,i32,i32)->(i32)");
    expect(stdout).toContain("memory: min 2 pages, max none declared, 512 pages after the host's cap of 512");
    expect(stdout).toContain("verdict: valid guard");
  });

  it("rejects a memory limit that is not a page count", async () => {
    const { code, stderr } = await flowgate("inspect", scripted, "--memory-limit-pages", "abc");
    expect(code).toBe(1);
    expect(stderr).toContain("--memory-limit-pages: expected a whole number from 1 to 65536, got abc");
  });

  it("names the path and what to give instead when given a directory", async () => {
    const dir = builtGuardPath("edge-cases", "scripted").replace(/\/[^/]+$/, "");
    const { code, stderr } = await flowgate("inspect", dir);
    expect(code).toBe(1);
    expect(stderr).toContain(`failed to read WASM file ${dir}: it is a directory; give the guard's .wasm file inside it`);
  });

  it.each([
    ["wrong-signature", "must have signature (i32,i32,i32,i32)->i32, got (i32,i32,i32,i64)->i32"],
    ["extra-import", "env.read_file"],
  ])("exits 1 with the reasons for %s", async (file, reason) => {
    const { code, stdout, stderr } = await flowgate("inspect", builtGuardPath("edge-cases", file));
    expect(code).toBe(1);
    expect(stdout).toContain("verdict: invalid guard");
    expect(stderr).toContain(reason);
  });
});

describe("flowgate guard call", () => {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-guard-call-"));
  const backendFile = join(dir, "backend.json");
  writeFileSync(backendFile, JSON.stringify({ echo: { resource: { description: "canned", secrecy: [], integrity: [] }, operation: "read-write" } }));
  const inputFile = join(dir, "input.json");
  writeFileSync(inputFile, JSON.stringify({ tool_name: "cmd-C", tool_args: {} }));

  it.each([
    [["label_agent", "--input", "{}"], '"difcMode": "filter"'],
    [["label_resource", "--input", '{"tool_name":"x"}', "--policy", "{}"], '"description": "policy-set"'],
    [["label_resource", "--input", '{"tool_name":"x"}'], '"description": "no-policy"'],
    [["label_resource", "--input", `@${inputFile}`, "--backend", backendFile], '"description": "canned"'],
    [["label_response", "--input", '{"tool_name":"t","tool_result":{"a":1}}'], '"tool_result": {'],
  ])("runs %j and prints the result", async (args, expected) => {
    const { code, stdout } = await flowgate("call", scripted, ...args);
    expect(code).toBe(0);
    expect(stdout).toContain(expected);
  });

  it.each([
    [["label_resource", "--input", '{"tool_name":"cmd-L"}', "--timeout", "200"], "did not return within its deadline"],
    [["label_resource", "--input", '{"tool_name":"cmd-T"}'], "unreachable"],
    [["label_resource", "--input", '{"tool_name":"cmd-C"}'], "error code: -1"],
    [["label_resource", "--input", "{nope"], "--input: not valid JSON"],
    [["label_nothing", "--input", "{}"], "unknown guard function label_nothing"],
  ])("exits 1 and prints the error for %j", async (args, expected) => {
    const { code, stderr } = await flowgate("call", scripted, ...args);
    expect(code).toBe(1);
    expect(stderr).toContain(expected);
  });

  it.each([
    [["label_agent", "--input", "{}"], '{"agent":{"secrecy":["s"],"integrity":["i"]},"difc_mode":"filter"}\n'],
    [["label_resource", "--input", '{"tool_name":"x"}'], '{"resource":{"description":"no-policy","secrecy":[],"integrity":[]},"operation":"read"}\n'],
    [["label_response", "--input", '{"tool_name":"t","tool_result":{"a":1}}'], '{"capabilities":{},"tool_args":null,"tool_name":"t","tool_result":{"a":1}}\n'],
  ])("with --raw prints the guard's output exactly as the guard returned it: %j", async (args, expected) => {
    const { code, stdout } = await flowgate("call", scripted, ...args, "--raw");
    expect(code).toBe(0);
    expect(stdout).toBe(expected);
  });

  it.each([
    [[], false],
    [["-v"], true],
  ])("prints the host's debug lines only when asked: %j", async (flags, shown) => {
    // cmd-H answers -2 until the output buffer is 5 MiB: the host grows it and says so at debug level
    const { code, stderr } = await flowgate("call", scripted, "label_resource", "--input", '{"tool_name":"cmd-H"}', ...flags);
    expect(code).toBe(0);
    expect(stderr.includes("DEBUG: Buffer too small")).toBe(shown);
  });
});
