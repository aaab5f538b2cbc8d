import { describe, expect, it } from "vitest";
import { InMemoryAgentStore } from "../../src/difc/index.ts";

// The live view shows each agent's budgets as used/limit: the in-memory store reads back what
// spendToolCall counted, per agent, server and tool (the Redis store's twin is in test/state).

function plain(spent: ReadonlyMap<string, ReadonlyMap<string, number>>): Record<string, Record<string, number>> {
  return Object.fromEntries([...spent].map(([server, tools]) => [server, Object.fromEntries(tools)]));
}

describe("the tool-call budget an agent has spent, in memory", () => {
  it("counts calls per server and tool, stops at the limit, and ignores tools without one", async () => {
    const store = new InMemoryAgentStore();
    const limits = new Map([
      ["issue_read", 2],
      ["list_issues", 5],
    ]);
    for (let i = 0; i < 3; i++) await store.spendToolCall("a1", "github", limits, "issue_read");
    await store.spendToolCall("a1", "tracker", limits, "list_issues");
    await store.spendToolCall("a1", "github", limits, "unlimited_tool");
    await store.spendToolCall("a2", "github", limits, "list_issues");
    await store.spendToolCall("a3", "github", limits, "unlimited_tool");

    expect(plain(await store.toolCallsSpent("a1"))).toEqual({ github: { issue_read: 2 }, tracker: { list_issues: 1 } });
    expect(plain(await store.toolCallsSpent("a2"))).toEqual({ github: { list_issues: 1 } });
    expect(plain(await store.toolCallsSpent("a3"))).toEqual({});
    expect(plain(await store.toolCallsSpent("never-called"))).toEqual({});
  });

  it("hands out a copy: what was read does not move with later calls", async () => {
    const store = new InMemoryAgentStore();
    const limits = new Map([["issue_read", 3]]);
    await store.spendToolCall("a1", "github", limits, "issue_read");
    const before = await store.toolCallsSpent("a1");
    await store.spendToolCall("a1", "github", limits, "issue_read");
    expect(before.get("github")!.get("issue_read")).toBe(1);
    expect((await store.toolCallsSpent("a1")).get("github")!.get("issue_read")).toBe(2);
  });

  it("counts the agents it holds labels for, as entries() lists them", async () => {
    const store = new InMemoryAgentStore();
    expect(await store.count()).toBe(0);
    await store.getOrCreate("a1");
    await store.spendToolCall("a2", "github", new Map([["issue_read", 1]]), "issue_read");
    await store.getOrCreate("a2");
    await store.getOrCreate("a1");
    expect(await store.count()).toBe((await store.entries()).size);
    expect(await store.count()).toBe(2);
  });
});
