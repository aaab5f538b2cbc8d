import { describe, expect, it } from "vitest";
import {
  InMemoryAgentStore,
  accumulateFromRead,
  enforceResponse,
  evaluate,
  evaluateCoarseAccess,
  reflectSnapshot,
  type AgentLabels,
  type EnforcementMode,
  type LabeledCollection,
  type Operation,
  type ResourceLabels,
} from "../../src/difc/index.ts";
import { agent, resource, sorted } from "./helpers.ts";

/** One call through phases 2 and 5–6, as the enforce layer runs it; returns the agent's labels afterwards. */
async function readThrough(
  store: InMemoryAgentStore,
  res: ResourceLabels,
  mode: EnforcementMode,
  operation: Operation = "read",
  labeled: LabeledCollection | null = null,
): Promise<AgentLabels> {
  const current = await store.getOrCreate("a1");
  const outcome = enforceResponse({
    agentId: "a1",
    serverId: "s",
    toolName: "list_files",
    operation,
    mode,
    agent: current,
    resource: res,
    coarse: evaluateCoarseAccess(current, res, operation, mode),
    labeled,
    rawResult: { content: [] },
  });
  expect(outcome.kind).toBe("result");
  if (outcome.kind === "result" && outcome.absorb !== null) return store.accumulateFromRead("a1", outcome.absorb);
  return store.getOrCreate("a1");
}

describe("agent labels and propagation (difc.md §8.5)", () => {
  it("vector 57: a read unions secrecy and intersects integrity", () => {
    const after = accumulateFromRead(agent(["initial-secret"], ["trusted", "verified"]), agent(["confidential"], ["verified"]));
    expect(sorted(after.secrecy)).toEqual(["confidential", "initial-secret"]);
    expect(sorted(after.integrity)).toEqual(["verified"]);
  });

  it("vector 58: reading data without integrity clears the agent's integrity", () => {
    expect(sorted(accumulateFromRead(agent([], ["high-trust", "verified"]), agent()).integrity)).toEqual([]);
  });

  it.each([
    { n: 59, reads: [["private:github/gh-aw"], ["private:github/internal-restricted"]], allowed: false },
    { n: 60, reads: [["private:github/gh-aw"]], allowed: true },
  ])("vector $n: after propagate reads, a write to the gh-aw sink is allowed=$allowed", async ({ reads, allowed }) => {
    const store = new InMemoryAgentStore();
    for (const secrecy of reads) await readThrough(store, resource(secrecy, ["approved:github/gh-aw"]), "propagate");
    const result = evaluate(await store.getOrCreate("a1"), resource(["private:github/gh-aw"]), "write", "filter");
    expect(result.decision).toBe(allowed ? "allow" : "deny");
    expect(result.secrecyToAdd.length > 0).toBe(!allowed);
  });

  it("vector 61: a sink accepting `*` takes any secrecy", () => {
    const a = agent(["private:org1/repo-a", "private:org2/repo-b", "private:org3/repo-c"]);
    expect(evaluate(a, resource(["*"]), "write", "filter").decision).toBe("allow");
  });

  it.each([
    { n: 62, mode: "propagate" as const, op: "read" as const, labeled: null, expected: ["s1"] },
    {
      n: 63,
      mode: "propagate" as const,
      op: "read" as const,
      labeled: { items: [{ data: 1, labels: resource(["item-secret"]) }] },
      expected: ["item-secret"],
    },
    { n: 64, mode: "strict" as const, op: "read" as const, labeled: null, expected: [] },
    { n: 64, mode: "filter" as const, op: "read" as const, labeled: null, expected: [] },
    { n: 65, mode: "propagate" as const, op: "write" as const, labeled: null, expected: [] },
  ])("vector $n: phase 6 in $mode mode for a $op leaves agent secrecy $expected", async ({ mode, op, labeled, expected }) => {
    const store = new InMemoryAgentStore();
    // Strict and filter reads of s1 would fail the coarse check; give the agent clearance there.
    if (mode !== "propagate") await store.addLabels("a1", agent(["s1"]));
    const after = await readThrough(store, resource(["s1"]), mode, op, labeled);
    expect(sorted(after.secrecy)).toEqual(mode === "propagate" ? expected : ["s1"]);
  });

  it("vector 66: a propagate read of an unendorsed resource drops integrity, then the write is denied", async () => {
    const store = new InMemoryAgentStore();
    await store.addLabels("a1", agent([], ["trusted", "verified"]));
    const after = await readThrough(store, resource(), "propagate");
    expect(sorted(after.integrity)).toEqual([]);
    expect(evaluate(after, resource([], ["trusted"]), "write", "propagate").decision).toBe("deny");
  });
});

describe("agent store", () => {
  it("adds label_agent tags as a union, never removing any", async () => {
    const store = new InMemoryAgentStore();
    await store.addLabels("a", agent(["x"], ["i1"]));
    const after = await store.addLabels("a", agent(["y"], []));
    expect([sorted(after.secrecy), sorted(after.integrity)]).toEqual([["x", "y"], ["i1"]]);
  });

  it("keeps agents apart and serialises concurrent updates to one agent", async () => {
    const store = new InMemoryAgentStore();
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.addLabels(i % 2 === 0 ? "even" : "odd", agent([`t${i}`]))));
    expect((await store.getOrCreate("even")).secrecy.size).toBe(25);
    expect((await store.getOrCreate("odd")).secrecy.size).toBe(25);
  });

  it("snapshots /reflect with sorted tags, empty arrays, the server mode and a second-precision timestamp", async () => {
    const store = new InMemoryAgentStore();
    await store.addLabels("b", agent(["z", "a"], ["m", "b"]));
    await store.getOrCreate("fresh");
    const snapshot = await reflectSnapshot(store, "filter", new Date("2026-07-01T10:20:30.456Z"));
    expect(snapshot).toEqual({
      agents: { b: { secrecy: ["a", "z"], integrity: ["b", "m"] }, fresh: { secrecy: [], integrity: [] } },
      mode: "filter",
      timestamp: "2026-07-01T10:20:30Z",
    });
    expect(await reflectSnapshot(new InMemoryAgentStore(), "strict", new Date(0))).toMatchObject({ agents: {} });
  });

  it("hands out snapshots that later updates do not change", async () => {
    const store = new InMemoryAgentStore();
    const before = await store.addLabels("a", agent(["x"]));
    await store.accumulateFromRead("a", agent(["y"]));
    expect(sorted(before.secrecy)).toEqual(["x"]);
  });
});
