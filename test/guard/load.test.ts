import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { builtGuardPath } from "../support/guards.ts";
import { inspectGuardBytes, loadWasmGuard, readGuardBytes, replaceSharedModuleCache, sharedModuleCache } from "../../src/guard/index.ts";
import { capMemories, capMemoriesInPlace, readModuleLayout } from "../../src/guard/wasm-binary.ts";
import { loadEdgeGuard } from "./helpers.ts";

describe("loading and validating a guard", () => {
  it.each([
    ["wrong-signature", "WASM module function label_resource must have signature (i32,i32,i32,i32)->i32, got (i32,i32,i32,i64)->i32"],
    ["extra-import", "WASM module imports env.read_file, which the host does not provide"],
    ["bad-import-signature", "WASM module import env.host_log must have signature (i32,i32,i32)->(), got (i32,i32,i32)->i32"],
    ["no-memory", "WASM module has no memory"],
    ["no-label-agent", "WASM module must export label_agent"],
    ["command-module", "standard Go instead of TinyGo"],
    ["huge-memory", "memory min 600 pages (38400 KiB) is over the limit of 512 pages"],
  ])("rejects %s with an error naming the problem", async (file, text) => {
    await expect(loadEdgeGuard(file)).rejects.toMatchObject({ kind: "load", message: expect.stringContaining(text) });
  });

  it.each([
    ["empty bytes", new Uint8Array(0), "failed to instantiate WASM module: not a WebAssembly module"],
    ["random bytes", new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), "failed to instantiate WASM module: not a WebAssembly module"],
  ])("rejects %s", async (_label, bytes, text) => {
    await expect(loadWasmGuard(bytes, { name: "bad" })).rejects.toThrow(text);
  });

  it.each([
    [{ memoryLimitPages: 0 }, "invalid memoryLimitPages 0: expected a whole number of 64 KiB pages from 1 to 65536"],
    [{ poolSize: 1.5 }, "invalid poolSize 1.5"],
    [{ defaultTimeoutMs: -1 }, "invalid defaultTimeoutMs -1"],
  ])("rejects the option %j with what it takes", async (options, text) => {
    await expect(loadEdgeGuard("direct", options)).rejects.toThrow(text);
  });

  it("rejects a missing file with the read error", async () => {
    await expect(loadWasmGuard("/nonexistent/guard.wasm", { name: "missing" })).rejects.toThrow(
      "failed to load WASM guard 'missing': failed to read WASM file /nonexistent/guard.wasm: no such file (ENOENT)",
    );
  });

  it("accepts a memory minimum within a raised cap", async () => {
    const guard = await loadEdgeGuard("huge-memory", { memoryLimitPages: 600 });
    await expect(guard.labelResponse("t", null, null)).resolves.toBeNull();
    await guard.close();
  });

  it("never runs _start or _initialize (both trap here)", async () => {
    const guard = await loadEdgeGuard("start-section");
    expect(guard.status().state).toBe("healthy");
    await expect(guard.labelResponse("t", null, null)).resolves.toBeNull();
    await guard.close();
  });

  it("caps the declared memory maximum by rewriting the binary", async () => {
    const bytes = await readGuardBytes(builtGuardPath("edge-cases", "scripted"));
    const layout = readModuleLayout(bytes);
    expect(layout.memories).toEqual([{ min: 2, shared: false, memory64: false }]);
    const capped = capMemories(bytes, layout, 40);
    expect(readModuleLayout(capped).memories).toEqual([{ min: 2, max: 40, shared: false, memory64: false }]);
    const module = await WebAssembly.compile(capped);
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toContain("label_agent");
  });

  it("writes the cap in place into a module read from disk, byte for byte as a copy would, and never into a caller's bytes", async () => {
    const path = builtGuardPath("edge-cases", "scripted");
    const owned = await readGuardBytes(path);
    const copied = capMemories(owned, readModuleLayout(owned), 40);
    const inPlace = capMemoriesInPlace(owned, readModuleLayout(owned), 40);
    expect(inPlace?.buffer).toBe(owned.buffer);
    expect(inPlace).toEqual(copied);
    const callers = new Uint8Array(await readFile(path));
    const before = callers.slice();
    const guard = await loadWasmGuard(callers, { name: "callers", memoryLimitPages: 40, moduleCache: null });
    expect(callers).toEqual(before);
    await guard.close();
  });

  it("reports imports, exports and signatures of a valid guard", async () => {
    const report = inspectGuardBytes(new Uint8Array(await readFile(builtGuardPath("edge-cases", "scripted"))));
    expect(report.problems).toEqual([]);
    expect(report.layout?.imports.map((i) => `${i.module}.${i.name}`)).toEqual([
      "env.call_backend",
      "env.host_log",
      "wasi_snapshot_preview1.fd_write",
      "wasi_snapshot_preview1.random_get",
      "wasi_snapshot_preview1.proc_exit",
      "wasi_snapshot_preview1.fd_read",
    ]);
    expect(report.layout?.exports.find((e) => e.name === "label_agent")?.type).toEqual({
      params: ["i32", "i32", "i32", "i32"],
      results: ["i32"],
    });
  });

  it("compiles each distinct module once into an injected cache, and not at all into none", async () => {
    const sets: string[] = [];
    const spying = new (class extends Map<string, WebAssembly.Module> {
      override set(key: string, module: WebAssembly.Module) {
        sets.push(key);
        return super.set(key, module);
      }
    })();
    const cache = spying;
    const guards = [
      await loadEdgeGuard("scripted", { moduleCache: spying }),
      await loadEdgeGuard("scripted", { moduleCache: spying }),
      await loadEdgeGuard("scripted", { moduleCache: spying, memoryLimitPages: 64 }),
      await loadEdgeGuard("scripted", { moduleCache: null }),
    ];
    // A module is stored each time it is compiled: twice, once per distinct memory cap.
    expect(cache.size).toBe(2);
    expect(sets).toHaveLength(2);
    expect(new Set(sets).size).toBe(2);
    await Promise.all(guards.map((g) => g.close()));
  });

  it("compiles into the process-wide cache, which an embedder can replace", async () => {
    const replacement = new Map<string, WebAssembly.Module>();
    const previous = replaceSharedModuleCache(replacement);
    try {
      const guard = await loadEdgeGuard("direct");
      expect(sharedModuleCache()).toBe(replacement);
      expect(replacement.size).toBe(1);
      await guard.close();
    } finally {
      replaceSharedModuleCache(previous);
    }
  });

  it("loads the AssemblyScript example guard and answers all three functions", async () => {
    const guard = await loadWasmGuard(builtGuardPath("example"), { name: "example" });
    await expect(guard.labelAgent({ "allow-only": { repos: "all", "min-integrity": "none" } })).resolves.toMatchObject({ difcMode: "filter" });
    await expect(guard.labelResource("read_file", { path: "/x" })).resolves.toMatchObject({ operation: "read" });
    await expect(guard.labelResponse("read_file", { content: [] }, { path: "/x" })).resolves.toBeNull();
    await guard.close();
  });
});
