import { describe, expect, it } from "vitest";
import {
  enforceResponse,
  evaluateCoarseAccess,
  filterCollection,
  shouldAccumulateReadLabels,
  shouldBlockFilteredResponse,
  shouldCallLabelResponse,
  type EnforcementMode,
  type LabeledCollection,
  type Operation,
} from "../../src/difc/index.ts";
import { agent, resource } from "./helpers.ts";

const context = (mode: EnforcementMode, operation: Operation = "read", toolName = "list_issues") => ({
  agentId: "agent-1",
  serverId: "github",
  toolName,
  operation,
  mode,
});

function collection(...items: Array<[unknown, string[], string[]]>): LabeledCollection {
  return { items: items.map(([data, s, i], index) => ({ data, labels: resource(s, i, `item${index + 1}`) })) };
}

describe("pipeline decisions (difc.md §8.3)", () => {
  it.each([
    { n: 38, op: "read" as const, a: ["secret"], r: ["secret"], kind: "allowed" },
    { n: 39, op: "read" as const, a: [], r: ["secret"], kind: "bypass-for-read" },
    { n: 40, op: "write" as const, a: ["secret"], r: [], kind: "denied" },
    { n: 41, op: "read-write" as const, a: [], r: ["secret"], kind: "denied" },
  ])("vector $n: coarse strict $op → $kind", ({ op, a, r, kind }) => {
    const outcome = evaluateCoarseAccess(agent(a), resource(r), op, "strict");
    expect(outcome.kind).toBe(kind);
    expect(outcome.evaluation.decision === "deny").toBe(kind !== "allowed");
  });

  const modes: EnforcementMode[] = ["strict", "filter", "propagate"];
  it.each([
    { n: 42, op: "write" as const, expected: [false, false, false] },
    { n: 43, op: "read-write" as const, expected: [false, true, true] },
    { n: 44, op: "read" as const, expected: [true, true, true] },
  ])("vector $n: label_response is asked for $op in strict/filter/propagate: $expected", ({ op, expected }) => {
    expect(modes.map((mode) => shouldCallLabelResponse(op, mode))).toEqual(expected);
  });

  it("vector 45: only strict mode with filtered items blocks the response", () => {
    expect([
      shouldBlockFilteredResponse("strict", 1),
      shouldBlockFilteredResponse("strict", 0),
      shouldBlockFilteredResponse("filter", 3),
      shouldBlockFilteredResponse("propagate", 2),
    ]).toEqual([true, false, false, false]);
  });

  it("vector 46: reads and read-writes accumulate labels in propagate mode only", () => {
    expect([
      shouldAccumulateReadLabels("read", "propagate"),
      shouldAccumulateReadLabels("read-write", "propagate"),
      shouldAccumulateReadLabels("write", "propagate"),
      shouldAccumulateReadLabels("read", "strict"),
      shouldAccumulateReadLabels("read", "filter"),
    ]).toEqual([true, true, false, false, false]);
  });

  const twoItems = collection([{ id: 1 }, [], []], [{ id: 2 }, ["private:restricted/repo"], []]);

  it("vector 47: strict mode blocks the whole response when one item is denied", () => {
    const outcome = filterCollection(twoItems, agent(), context("strict"));
    expect(outcome.kind).toBe("blocked");
    expect(outcome.filtered).toHaveLength(1);
    expect(outcome.kind === "blocked" && outcome.error).toBe("DIFC policy violation: 1 of 2 items in response are not accessible to agent agent-1");
  });

  it("vector 48: filter mode keeps the readable item and filters the other", () => {
    const outcome = filterCollection(twoItems, agent(), context("filter"));
    expect(outcome.kind).toBe("filtered");
    if (outcome.kind !== "filtered") return;
    expect(outcome.kept.map((item) => item.data)).toEqual([{ id: 1 }]);
    expect(outcome.filtered.map((f) => f.description)).toEqual(["item2"]);
  });

  it("vector 49: propagate mode filters nothing on a read", () => {
    const outcome = filterCollection(twoItems, agent(), context("propagate"));
    expect(outcome.kind === "filtered" && outcome.kept.map((item) => item.data)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(outcome.filtered).toHaveLength(0);
  });

  it("vector 50: no labelled data returns the raw result unfiltered when the coarse check passed", () => {
    const raw = { content: [{ type: "text", text: "raw" }] };
    const outcome = enforceResponse({
      ...context("strict"),
      agent: agent(),
      resource: resource(),
      coarse: evaluateCoarseAccess(agent(), resource(), "read", "strict"),
      labeled: null,
      rawResult: raw,
    });
    expect(outcome).toMatchObject({ kind: "result", result: raw, filtered: [], records: [], absorb: null });
  });
});

describe("collection filtering (difc.md §8.4)", () => {
  it.each([
    {
      n: 51,
      mode: "strict" as const,
      op: "write" as const,
      a: agent([], ["trusted", "verified"]),
      items: collection(["a", [], ["trusted"]], ["b", [], ["trusted", "verified", "certified"]]),
      kept: ["a"],
    },
    {
      n: 52,
      mode: "strict" as const,
      op: "read-write" as const,
      a: agent(["internal"], ["trusted"]),
      items: collection(["a", ["internal"], ["trusted", "audited"]], ["b", ["internal"], ["trusted"]]),
      kept: ["b"],
    },
    {
      n: 53,
      mode: "strict" as const,
      op: "read" as const,
      a: agent(["public", "internal"]),
      items: collection(["a", ["public"], []], ["b", ["internal"], []], ["c", ["secret"], []], ["d", ["public"], []]),
      kept: ["a", "b", "d"],
    },
  ])("vector $n: $mode/$op keeps $kept", ({ mode, op, a, items, kept }) => {
    // Filter mode shows what strict mode evaluates per item; strict then blocks the response.
    const filtered = filterCollection(items, a, context("filter", op));
    expect(filtered.kind === "filtered" && filtered.kept.map((item) => item.data)).toEqual(kept);
    expect(filtered.filtered).toHaveLength(items.items.length - kept.length);
    expect(filterCollection(items, a, context(mode, op)).kind).toBe("blocked");
  });

  it.each([
    { n: 54, a: agent([], ["approved"]), item: [[], []] as [string[], string[]], secrecy: false },
    { n: 55, a: agent(), item: [["private:org/repo"], []] as [string[], string[]], secrecy: true },
  ])("vector $n: a denied item is classified secrecy=$secrecy with a reason", ({ a, item, secrecy }) => {
    const outcome = filterCollection(collection([{}, ...item]), a, context("strict"));
    const [entry] = outcome.filtered;
    expect(entry?.isSecrecyViolation).toBe(secrecy);
    expect(entry?.reason).not.toBe("");
  });

  it("vector 56: 22 public and 8 restricted items → 22 kept, 8 filtered", () => {
    const items = collection(
      ...Array.from({ length: 22 }, (_, i): [unknown, string[], string[]] => [i, ["public"], []]),
      ...Array.from({ length: 8 }, (_, i): [unknown, string[], string[]] => [100 + i, ["private:restricted"], []]),
    );
    const outcome = filterCollection(items, agent(["public"]), context("filter"));
    expect(items.items).toHaveLength(30);
    expect(outcome.kind === "filtered" && outcome.kept).toHaveLength(22);
    expect(outcome.filtered).toHaveLength(8);
  });
});
