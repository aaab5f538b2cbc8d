// The live view's decision log: a fixed ring of the latest decisions, each numbered and timed,
// handed to watchers as it is made; other events only tell the watchers that something moved.
import { describe, expect, it } from "vitest";
import type { DecisionEvent } from "../../src/shared/index.ts";
import { DecisionLog, type DecisionRow } from "../../src/telemetry/live-view/index.ts";

const decision = (tool: string): DecisionEvent => ({
  kind: "decision",
  server: "files",
  agent: "0123456789abcdef",
  tool,
  method: "tools/call",
  mode: "filter",
  decision: "denied",
  phase: "coarse",
  reason: "secrecy",
});

describe("the live view's decision log", () => {
  it.each([
    [3, 2, ["t0", "t1"]],
    [3, 3, ["t0", "t1", "t2"]],
    [3, 7, ["t4", "t5", "t6"]],
    [1, 2, ["t1"]],
  ])("keeping %i, after %i decisions holds the latest, oldest first: %j", (capacity, made, tools) => {
    let now = 1000;
    const log = new DecisionLog(capacity, () => now++);
    for (let i = 0; i < made; i++) log.observer.event(decision(`t${i}`));
    const rows = log.latest();
    expect(rows.map((row) => row.tool)).toEqual(tools);
    expect(rows.map((row) => row.seq)).toEqual(tools.map((tool) => Number(tool.slice(1)) + 1));
    expect(rows.map((row) => row.time)).toEqual(tools.map((tool) => 1000 + Number(tool.slice(1))));
  });

  it("hands each decision to its watchers until they stop, and tells them of other events", () => {
    const log = new DecisionLog(10, () => 5);
    const seen: Array<DecisionRow | "other"> = [];
    const stop = log.watch({ decision: (row) => seen.push(row), other: () => seen.push("other") });
    log.observer.event(decision("read"));
    log.observer.event({ kind: "guard", server: "files", what: "failed" });
    stop();
    log.observer.event(decision("after"));
    expect(seen).toEqual([
      {
        seq: 1,
        time: 5,
        server: "files",
        agent: "0123456789abcdef",
        tool: "read",
        method: "tools/call",
        mode: "filter",
        decision: "denied",
        phase: "coarse",
        reason: "secrecy",
      },
      "other",
    ]);
  });

  it.each([0, -1, 1.5])("refuses to keep %d decisions", (capacity) => {
    expect(() => new DecisionLog(capacity)).toThrow(`the live view keeps at least one decision; ${capacity} was asked`);
  });
});
