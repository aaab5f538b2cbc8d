import { describe, expect, it } from "vitest";
import { checkIntegrityFlow, checkSecrecyFlow, evaluate, intersect, type Decision, type EnforcementMode, type Operation } from "../../src/difc/index.ts";
import { agent, resource } from "./helpers.ts";

type Row = {
  n: number;
  mode: EnforcementMode;
  op: Operation;
  a: [string[], string[]];
  r: [string[], string[]];
  decision: Decision;
  add?: string[];
  drop?: string[];
  reason?: string;
};

// difc.md §8.1. `add`/`drop` are the exact tag lists (sorted); `reason` must appear in the reason text.
const rows: Row[] = [
  { n: 1, mode: "strict", op: "read-write", a: [["secret"], ["trusted"]], r: [["secret"], ["trusted"]], decision: "allow", add: [], drop: [] },
  { n: 2, mode: "strict", op: "read-write", a: [[], []], r: [["private"], []], decision: "deny", add: ["private"], drop: [], reason: "secrecy" },
  { n: 3, mode: "strict", op: "read-write", a: [[], []], r: [[], ["production"]], decision: "deny", add: [], drop: ["production"], reason: "integrity" },
  {
    n: 4,
    mode: "strict",
    op: "read-write",
    a: [
      ["secret", "confidential", "internal"],
      ["production", "verified"],
    ],
    r: [
      ["secret", "confidential", "internal"],
      ["production", "verified"],
    ],
    decision: "allow",
    add: [],
    drop: [],
  },
  { n: 5, mode: "strict", op: "read-write", a: [[], []], r: [["topsecret"], ["verified"]], decision: "deny", add: ["topsecret"], drop: [] },
  {
    n: 6,
    mode: "strict",
    op: "read",
    a: [[], ["trusted", "verified"]],
    r: [[], ["trusted"]],
    decision: "deny",
    add: [],
    drop: ["verified"],
    reason: "lower integrity",
  },
  { n: 7, mode: "strict", op: "read", a: [["public"], []], r: [["public", "secret"], []], decision: "deny", add: ["secret"], drop: [] },
  { n: 8, mode: "strict", op: "read", a: [["public", "secret", "topsecret"], []], r: [["public", "secret"], []], decision: "allow", add: [], drop: [] },
  { n: 9, mode: "strict", op: "read", a: [[], []], r: [[], []], decision: "allow", add: [], drop: [] },
  {
    n: 10,
    mode: "strict",
    op: "read",
    a: [[], []],
    r: [["secret", "confidential", "restricted"], []],
    decision: "deny",
    add: ["confidential", "restricted", "secret"],
    drop: [],
  },
  {
    n: 11,
    mode: "strict",
    op: "write",
    a: [["secret", "classified"], []],
    r: [["secret"], []],
    decision: "deny",
    add: ["classified"],
    drop: [],
    reason: "secrecy",
  },
  { n: 12, mode: "strict", op: "write", a: [[], ["dev"]], r: [[], ["dev", "production"]], decision: "deny", add: [], drop: ["production"] },
  { n: 13, mode: "strict", op: "write", a: [[], ["trusted", "verified", "audited"]], r: [[], ["trusted", "verified"]], decision: "allow", add: [], drop: [] },
  { n: 14, mode: "strict", op: "write", a: [["internal"], []], r: [[], []], decision: "deny", add: ["internal"], drop: [] },
  { n: 15, mode: "strict", op: "write", a: [[], ["trusted"]], r: [[], ["trusted"]], decision: "allow", add: [], drop: [] },
  {
    n: 16,
    mode: "strict",
    op: "write",
    a: [[], []],
    r: [[], ["verified", "audited", "certified"]],
    decision: "deny",
    add: [],
    drop: ["audited", "certified", "verified"],
  },
  { n: 17, mode: "strict", op: "read-write", a: [[], ["trusted"]], r: [["secret"], ["trusted"]], decision: "deny", add: ["secret"], drop: [] },
  { n: 18, mode: "strict", op: "read-write", a: [["secret"], []], r: [["secret"], ["trusted"]], decision: "deny", add: [], drop: ["trusted"] },
  { n: 19, mode: "propagate", op: "read", a: [[], []], r: [["secret"], []], decision: "allow-with-propagate", add: ["secret"], drop: [] },
  {
    n: 20,
    mode: "propagate",
    op: "read",
    a: [[], ["trusted", "verified"]],
    r: [[], []],
    decision: "allow-with-propagate",
    add: [],
    drop: ["trusted", "verified"],
  },
  {
    n: 21,
    mode: "propagate",
    op: "read",
    a: [[], ["trusted"]],
    r: [["classified"], []],
    decision: "allow-with-propagate",
    add: ["classified"],
    drop: ["trusted"],
  },
  { n: 22, mode: "propagate", op: "read", a: [["secret"], []], r: [["secret"], []], decision: "allow", add: [], drop: [] },
  { n: 23, mode: "propagate", op: "write", a: [["secret"], []], r: [[], []], decision: "deny", add: ["secret"], drop: [], reason: "secrecy" },
  { n: 24, mode: "propagate", op: "write", a: [[], []], r: [[], ["production"]], decision: "deny", add: [], drop: ["production"], reason: "integrity" },
];

describe("evaluator (difc.md §8.1)", () => {
  it.each(rows)("vector $n: $mode $op → $decision", (row) => {
    const result = evaluate(agent(...row.a), resource(...row.r), row.op, row.mode);
    expect(result.decision).toBe(row.decision);
    if (row.add) expect(result.secrecyToAdd).toEqual(row.add);
    if (row.drop) expect(result.integrityToDrop).toEqual(row.drop);
    if (row.reason) expect(result.reason).toContain(row.reason);
    expect(result.reason === "").toBe(row.decision === "allow");
  });
});

type FlowRow = {
  n: number;
  kind: "secrecy" | "integrity";
  source: string[] | undefined;
  target: string[] | undefined;
  ok: boolean;
  violating?: string[];
  contains?: string;
};

// difc.md §8.2; `undefined` stands for the reference's nil label.
const flowRows: FlowRow[] = [
  { n: 25, kind: "secrecy", source: ["tag1", "extra"], target: ["tag1"], ok: false, violating: ["extra"] },
  { n: 26, kind: "secrecy", source: ["a", "b", "c"], target: ["a"], ok: false, violating: ["b", "c"] },
  { n: 27, kind: "secrecy", source: undefined, target: ["any"], ok: true, violating: [] },
  { n: 28, kind: "secrecy", source: ["secret"], target: undefined, ok: false, violating: ["secret"] },
  { n: 29, kind: "integrity", source: ["t1"], target: ["t1", "t2"], ok: false, violating: ["t2"] },
  { n: 30, kind: "integrity", source: [], target: ["required"], ok: false, violating: ["required"] },
  { n: 31, kind: "integrity", source: ["trust"], target: undefined, ok: true, violating: [] },
  { n: 32, kind: "secrecy", source: ["private:org/repo", "private:org/other"], target: ["*"], ok: true, violating: [] },
  { n: 33, kind: "secrecy", source: ["*"], target: ["private:org/repo"], ok: false, contains: "*" },
  { n: 34, kind: "secrecy", source: ["private:org/repo"], target: ["*", "private:other"], ok: true, violating: [] },
  { n: 35, kind: "integrity", source: ["*"], target: ["approved:org/repo", "merged:org/repo"], ok: true, violating: [] },
  { n: 36, kind: "integrity", source: ["approved:org/repo"], target: ["*"], ok: false, contains: "*" },
];

describe("flow primitive and wildcard (difc.md §8.2)", () => {
  it.each(flowRows)("vector $n: $kind flow is ok=$ok", (row) => {
    const toLabel = (tags: string[] | undefined) => (tags === undefined ? undefined : new Set(tags));
    const check = row.kind === "secrecy" ? checkSecrecyFlow : checkIntegrityFlow;
    const result = check(toLabel(row.source), toLabel(row.target));
    expect(result.ok).toBe(row.ok);
    if (row.violating) expect(result.violating).toEqual(row.violating);
    if (row.contains) expect(result.violating).toContain(row.contains);
  });

  it("vector 37: intersect keeps the common tags; with an empty label it clears", () => {
    expect([...intersect(new Set(["a", "b", "c"]), new Set(["b", "c", "d"]))].sort()).toEqual(["b", "c"]);
    expect([...intersect(new Set(["a", "b", "c"]), new Set())]).toEqual([]);
  });
});
