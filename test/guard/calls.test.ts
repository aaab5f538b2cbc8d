import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackendCaller, Guard } from "../../src/guard/index.ts";
import { goJson } from "../../src/guard/go-json.ts";
import { command, loadEdgeGuard, memoryLogger } from "./helpers.ts";

const logger = memoryLogger();
let guard: Guard;

beforeAll(async () => {
  guard = await loadEdgeGuard("scripted", { logger, poolSize: 1 });
});
afterAll(() => guard.close());

const resourceResult = { resource: { description: "from-backend", secrecy: ["x"], integrity: [] }, operation: "write" };
const echoBackend: BackendCaller = async (tool, args) => {
  if (tool !== "echo") throw new Error(`unknown tool ${tool}`);
  return args === null ? resourceResult : { ...resourceResult, resource: { ...resourceResult.resource, description: JSON.stringify(args) } };
};

describe("calling guard functions", () => {
  it.each([
    ["N", "WASM function returned error code: -1"],
    ["D", "guard requires buffer of 33554432 bytes which exceeds maximum of 16777216 bytes"],
    ["G", "guard requires buffer of 104857600 bytes which exceeds maximum of 16777216 bytes"],
    ["M", "WASM function returned error code: -3"],
  ])("command %s fails the call with the reference's error text and keeps the guard healthy", async (letter, text) => {
    await expect(guard.labelResource(command(letter), null)).rejects.toMatchObject({ kind: "error", message: expect.stringContaining(text) });
    expect(guard.status().consecutiveFailures).toBe(0);
  });

  it("retries with the size hint after −2 and succeeds", async () => {
    await expect(guard.labelResource(command("H"), null)).resolves.toMatchObject({ description: "no-policy", operation: "read" });
    expect(logger.lines.map((l) => l.message)).toContain("Buffer too small (4194304 bytes), retrying with 5242880 bytes");
  });

  it("sends label_resource input with sorted keys and capabilities, as the reference does", async () => {
    const response = await guard.labelResponse("my_tool", null, { b: 1, a: "<&>" });
    expect(response).toEqual({ capabilities: {}, tool_args: { a: "<&>", b: 1 }, tool_name: "my_tool", tool_result: null });
    expect(goJson({ b: 1, a: "<&>" })).toBe('{"a":"\\u003c\\u0026\\u003e","b":1}');
  });

  it.each([
    ["small", 10],
    ["larger than the shared call buffer", 3 * 1024 * 1024],
  ])("carries %s inputs and outputs intact", async (_label, size) => {
    const result = { text: "é".repeat(size / 2) };
    await expect(guard.labelResponse("t", result, null)).resolves.toEqual({ capabilities: {}, tool_args: null, tool_name: "t", tool_result: result });
  });

  it.each([
    ["small, in the shared buffer after the input", { q: 1 }],
    ["too big for the shared buffer after the input, through the port", { q: "r".repeat(600_000) }],
    ["after an input that itself came through the port", { q: "p".repeat(1_200_000) }],
  ])("answers call_backend through the backend caller and hands its JSON to the guard: request and answer %s", async (_label, toolArgs) => {
    // The scripted guard sends its whole input as call_backend's arguments; echo answers with them.
    const labels = await guard.labelResource(command("C"), toolArgs, { backend: echoBackend });
    expect(labels.operation).toBe("write");
    expect(JSON.parse(labels.description)).toEqual({ capabilities: {}, tool_args: toolArgs, tool_name: command("C") });
  });

  it.each([
    ["no backend caller", undefined],
    ["a failing backend", (async () => Promise.reject(new Error("down"))) as BackendCaller],
  ])("call_backend returns −1 with %s", async (_label, backend) => {
    await expect(guard.labelResource(command("C"), null, backend ? { backend } : {})).rejects.toThrow("error code: -1");
  });

  it("allows 50 call_backend calls per invocation and answers the 51st with −1, every invocation", async () => {
    for (let round = 0; round < 2; round++) {
      await expect(guard.labelResource(command("B"), null, { backend: async () => ({ ok: true }) })).rejects.toThrow("error code: -1150");
    }
  });

  it("call_backend writes the exact size hint into a 4-byte buffer and returns −2", async () => {
    const length = Buffer.byteLength(goJson(resourceResult));
    await expect(guard.labelResource(command("K"), null, { backend: echoBackend })).rejects.toThrow(`error code: ${-10000 - length}`);
  });

  it("call_backend leaves a buffer under 4 bytes untouched and returns −2", async () => {
    await expect(guard.labelResource(command("J"), null, { backend: echoBackend })).rejects.toThrow("error code: -3");
  });

  it("routes WASI stdout into the guard's log and serves random_get", async () => {
    await expect(guard.labelResource(command("W"), null)).resolves.toMatchObject({ operation: "read" });
    expect(logger.lines).toContainEqual({ level: "info", guard: "scripted", message: "stdout: hello from stdout" });
  });

  it("logs host_log levels 0-3 at their level, any other level at debug, and a bad pointer as a warning", async () => {
    const start = logger.lines.length;
    await guard.labelResource(command("O"), null);
    const lines = logger.lines.slice(start).filter((l) => l.message !== "dealloc");
    expect(lines).toEqual([
      { level: "debug", guard: "scripted", message: "lvl" },
      { level: "info", guard: "scripted", message: "lvl" },
      { level: "warn", guard: "scripted", message: "lvl" },
      { level: "error", guard: "scripted", message: "lvl" },
      { level: "debug", guard: "scripted", message: "lvl" },
      { level: "warn", guard: "scripted", message: "hostLog: failed to read message from WASM memory" },
    ]);
  });

  it("sends a call's log lines to the logger passed with that call", async () => {
    const perCall = memoryLogger();
    const start = logger.lines.length;
    await guard.labelResource(command("W"), null, { logger: perCall });
    expect(perCall.lines).toContainEqual({ level: "info", guard: "scripted", message: "stdout: hello from stdout" });
    expect(logger.lines.length).toBe(start);
  });

  it("gives the guard an empty stdin", async () => {
    await expect(guard.labelResource(command("I"), null)).rejects.toThrow("error code: -100");
  });

  it("calls dealloc for both buffers after a successful call and after an error code", async () => {
    const before = logger.lines.filter((l) => l.message === "dealloc").length;
    await guard.labelResource(command("x"), null);
    await expect(guard.labelResource(command("N"), null)).rejects.toThrow();
    expect(logger.lines.filter((l) => l.message === "dealloc").length - before).toBe(4);
  });

  it("rejects an input over 8 MiB before any wasm runs", async () => {
    const calls = guard.status().calls;
    await expect(guard.labelResource("t", { big: "x".repeat(8 * 1024 * 1024) })).rejects.toThrow("input too large");
    expect(guard.status().calls).toBe(calls);
  });
});

describe("allocator edge cases", () => {
  it("fails the call when alloc returns a null pointer", async () => {
    const nullAlloc = await loadEdgeGuard("alloc-null");
    await expect(nullAlloc.labelResource("t", null)).rejects.toThrow("alloc returned null pointer");
    expect(nullAlloc.status().state).toBe("healthy");
    await nullAlloc.close();
  });

  it("uses the direct-memory fallback without alloc/dealloc, warning once", async () => {
    const directLog = memoryLogger();
    const direct = await loadEdgeGuard("direct", { logger: directLog, poolSize: 1 });
    const big = "y".repeat(1024 * 1024);
    await expect(direct.labelResource("a", { big })).rejects.toThrow("invalid resource format");
    await expect(direct.labelAgent({ any: "policy" })).resolves.toEqual({ secrecy: [], integrity: [], difcMode: "strict" });
    expect(directLog.lines.filter((l) => l.message.includes("direct memory fallback"))).toHaveLength(1);
    await direct.close();
  });
});
