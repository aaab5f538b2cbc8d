import { readFile } from "node:fs/promises";
import wabtInit from "wabt";
import { describe, expect, it } from "vitest";
import { builtGuardPath } from "../support/guards.ts";

const GUARD_EXPORTS = ["function:alloc", "function:dealloc", "function:label_agent", "function:label_resource", "function:label_response", "memory:memory"];

async function moduleOf(guard: string): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(builtGuardPath(guard)));
}

/** "<module>.<name> <signature>" for every imported and exported function, read from the binary. */
async function functionSignatures(guard: string): Promise<string[]> {
  const wabt = await wabtInit();
  const module = wabt.readWasm(await readFile(builtGuardPath(guard)), {});
  module.generateNames();
  module.applyNames();
  const text = module.toText({});
  module.destroy();
  const types = new Map([...text.matchAll(/\(type (\$\w+) \(func ?(.*?)\)\)\n/g)].map((m) => [m[1], m[2]]));
  const functionTypes = new Map([...text.matchAll(/\(func (\$[\w.]+) \(type (\$\w+)\)/g)].map((m) => [m[1], m[2]]));
  const signature = (fn: string | undefined): string => types.get(functionTypes.get(fn ?? "") ?? "") ?? "?";
  const imports = [...text.matchAll(/\(import "(\w+)" "(\w+)" \(func (\$[\w.]+)/g)].map((m) => `${m[1]}.${m[2]} ${signature(m[3])}`);
  const exports = [...text.matchAll(/\(export "(\w+)" \(func (\$\w+)\)\)/g)].map((m) => `${m[1]} ${signature(m[2])}`);
  return [...imports, ...exports].sort();
}

const LABEL = "(param i32 i32 i32 i32) (result i32)";

describe("filesystem and pass-through guards built from source", () => {
  it.each([
    [
      "filesystem",
      [
        "alloc (param i32) (result i32)",
        "dealloc (param i32 i32)",
        "env.call_backend (param i32 i32 i32 i32 i32 i32) (result i32)",
        "env.host_log (param i32 i32 i32)",
        `label_agent ${LABEL}`,
        `label_resource ${LABEL}`,
        `label_response ${LABEL}`,
      ],
    ],
    [
      "passthrough",
      ["alloc (param i32) (result i32)", "dealloc (param i32 i32)", `label_agent ${LABEL}`, `label_resource ${LABEL}`, `label_response ${LABEL}`],
    ],
  ])("%s has the ABI's function signatures", async (guard, signatures) => {
    expect(await functionSignatures(guard)).toEqual(signatures);
  });

  it.each([
    ["filesystem", ["env.call_backend", "env.host_log"]],
    ["passthrough", []],
  ])("%s exports the guard ABI and imports only %j", async (guard, imports) => {
    const module = await moduleOf(guard);
    expect(
      WebAssembly.Module.exports(module)
        .map((e) => `${e.kind}:${e.name}`)
        .sort(),
    ).toEqual(GUARD_EXPORTS);
    expect(
      WebAssembly.Module.imports(module)
        .map((i) => `${i.module}.${i.name}`)
        .sort(),
    ).toEqual(imports);
  });
});
