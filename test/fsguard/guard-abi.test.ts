import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { builtGuardPath } from "../support/guards.ts";

const GUARD_EXPORTS = [
  "function:alloc",
  "function:dealloc",
  "function:label_agent",
  "function:label_resource",
  "function:label_response",
  "memory:memory",
];

async function moduleOf(guard: string): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(builtGuardPath(guard)));
}

describe("filesystem and pass-through guards built from source", () => {
  it.each([
    ["filesystem", ["env.call_backend", "env.host_log"]],
    ["passthrough", []],
  ])("%s exports the guard ABI and imports only %j", async (guard, imports) => {
    const module = await moduleOf(guard);
    expect(WebAssembly.Module.exports(module).map((e) => `${e.kind}:${e.name}`).sort()).toEqual(GUARD_EXPORTS);
    expect(WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).sort()).toEqual(imports);
  });
});
