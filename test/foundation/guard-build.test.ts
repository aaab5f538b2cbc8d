import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { builtGuardPath } from "../support/guards.ts";

describe("guards built from source at test time", () => {
  it("compiles the example AssemblyScript guard into a module with the guard ABI exports and no stray imports", async () => {
    const module = await WebAssembly.compile(await readFile(builtGuardPath("example")));
    const exports = WebAssembly.Module.exports(module).map((e) => `${e.kind}:${e.name}`);
    expect(exports).toEqual(
      expect.arrayContaining([
        "function:label_agent",
        "function:label_resource",
        "function:label_response",
        "function:alloc",
        "function:dealloc",
        "memory:memory",
      ]),
    );
    expect(WebAssembly.Module.imports(module)).toEqual([]);
  });
});
