import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackendCaller, Guard } from "../../src/guard/index.ts";
import { waitBriefly } from "../../src/guard/brief-wait.ts";
import { readLogRecords, writeLogRecords } from "../../src/guard/worker/log-records.ts";
import type { LogLine } from "../../src/guard/worker/messages.ts";
import { command, loadEdgeGuard, memoryLogger } from "./helpers.ts";

const logger = memoryLogger();
let guard: Guard;

beforeAll(async () => {
  guard = await loadEdgeGuard("scripted", { logger, poolSize: 1 });
});
afterAll(() => guard.close());

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("how a call's answer reaches the host", () => {
  it.each([
    ["fits the shared buffer", 1000],
    ["is bigger than the shared buffer and comes through the port", 1_500_000],
  ])("delivers an output that %s, with the call's log lines", async (_, size) => {
    logger.lines.length = 0;
    const description = "d".repeat(size);
    const backend: BackendCaller = async () => ({ resource: { description, secrecy: [], integrity: [] }, operation: "read" });
    const labels = await guard.labelResource(command("C"), null, { backend });
    expect(labels.description).toBe(description);
    // The scripted guard logs "dealloc" once for each of its two buffers.
    expect(logger.lines.filter((l) => l.message === "dealloc")).toHaveLength(2);
  });

  it("answers many small calls in a row correctly, whether picked up on the spot or asynchronously", async () => {
    const results = [];
    for (let i = 0; i < 300; i++) results.push(await guard.labelResource(`t${i}`, { i }));
    expect(results.every((r) => r.description === "no-policy" && r.operation === "read")).toBe(true);
  });

  it("keeps the event loop turning while a guard loops, and stops the guard at its deadline", async () => {
    let settled = false;
    const looping = guard.labelResource(command("L"), null, { deadline: Date.now() + 500 }).finally(() => (settled = true));
    looping.catch(() => {});
    for (let i = 0; i < 20; i++) await turn();
    expect(settled).toBe(false);
    await expect(looping).rejects.toMatchObject({ kind: "timeout" });
    await expect(guard.labelResource("after", null)).resolves.toMatchObject({ description: "no-policy" });
  });
});

describe("the host's brief synchronous wait", () => {
  it.each([
    ["returns at once when the answer is already there", 2, true],
    ["gives up within its budget when no answer comes", 1, false],
  ])("%s", (_, current, changed) => {
    const cells = new Int32Array(new SharedArrayBuffer(4));
    cells[0] = current;
    expect(waitBriefly(cells, 0, 1)).toBe(changed);
  });
});

describe("log records in the shared buffer", () => {
  const lines: LogLine[] = [
    { level: "debug", message: "dealloc" },
    { level: "info", message: "" },
    { level: "warn", message: "ünïcødé ✓ \u2028" },
    { level: "error", message: "x".repeat(300) },
  ];

  it.each([
    ["round-trip when they fit", 1024, lines],
    ["are refused when they do not fit, so the worker sends them as a message", 64, undefined],
  ])("%s", (_, room, expected) => {
    const buffer = new Uint8Array(new SharedArrayBuffer(room));
    const written = writeLogRecords(lines, buffer);
    expect(written === undefined ? undefined : readLogRecords(buffer.subarray(0, written))).toEqual(expected);
  });
});
