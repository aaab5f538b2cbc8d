import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STATE_UNAVAILABLE, StateUnavailableError, label, type AgentLabels } from "../../src/difc/index.ts";
import { openStateBackend, stateUrlProblem, type StateBackend } from "../../src/state/index.ts";
import { NO_REDIS_REASON, REDIS_SERVER, startRedis, type RedisUnderTest } from "../support/redis.ts";

// Two stores on one real redis-server stand for two replicas: whatever one writes, the other
// decides on; budgets spent on both add up exactly; a dead or frozen server fails calls closed.

function tags(labels: AgentLabels): { secrecy: string[]; integrity: string[] } {
  return { secrecy: [...labels.secrecy].sort(), integrity: [...labels.integrity].sort() };
}

const labelsOf = (secrecy: string[], integrity: string[]): AgentLabels => ({ secrecy: label(secrecy), integrity: label(integrity) });

describe.skipIf(REDIS_SERVER === undefined)(REDIS_SERVER === undefined ? `the Redis state store (${NO_REDIS_REASON})` : "the Redis state store", () => {
  let redis: RedisUnderTest;
  let replicaA: StateBackend;
  let replicaB: StateBackend;

  beforeAll(async () => {
    redis = await startRedis();
    replicaA = await openStateBackend(redis.url);
    replicaB = await openStateBackend(redis.url);
  });

  afterAll(async () => {
    await replicaA?.close();
    await replicaB?.close();
    await redis?.stop();
  });

  it("gives every replica the same digest key, so each names one credential alike", () => {
    expect(replicaA.digestKey).toHaveLength(32);
    expect(replicaB.digestKey!.equals(replicaA.digestKey!)).toBe(true);
  });

  it("lets a replica decide on the labels another replica wrote, with no cache in between", async () => {
    await replicaA.store.addLabels("agent-shared", labelsOf([], ["approved:repo", "unapproved:repo"]));
    expect(tags(await replicaB.store.getOrCreate("agent-shared"))).toEqual({ secrecy: [], integrity: ["approved:repo", "unapproved:repo"] });
    await replicaB.store.accumulateFromRead("agent-shared", labelsOf(["private:repo"], ["unapproved:repo"]));
    expect(tags(await replicaA.store.getOrCreate("agent-shared"))).toEqual({ secrecy: ["private:repo"], integrity: ["unapproved:repo"] });
    expect(tags((await replicaA.store.entries()).get("agent-shared")!)).toEqual({ secrecy: ["private:repo"], integrity: ["unapproved:repo"] });
    // The metrics' gauge: a count both replicas agree on, without reading every agent's labels.
    expect(await replicaB.store.count()).toBe((await replicaA.store.entries()).size);
    expect(await replicaB.store.count()).toBeGreaterThan(0);
  });

  it("keeps every tag of concurrent updates from two replicas: none is lost to another", async () => {
    const updates = Array.from({ length: 40 }, (_, i) =>
      (i % 2 === 0 ? replicaA : replicaB).store.accumulateFromRead("agent-concurrent", labelsOf([`secret:${i}`], [])),
    );
    await Promise.all([replicaA.store.addLabels("agent-concurrent", labelsOf(["granted"], [])), ...updates]);
    const final = tags(await replicaB.store.getOrCreate("agent-concurrent"));
    expect(final.secrecy).toEqual(["granted", ...Array.from({ length: 40 }, (_, i) => `secret:${i}`)].sort());
    expect(final.integrity).toEqual([]);
  });

  it("keeps an integrity tag a read dropped dropped, even when label_agent grants it again on another replica", async () => {
    await replicaA.store.addLabels("agent-dropped", labelsOf([], ["approved:repo"]));
    await replicaA.store.accumulateFromRead("agent-dropped", labelsOf([], []));
    await replicaB.store.addLabels("agent-dropped", labelsOf([], ["approved:repo"]));
    expect(tags(await replicaB.store.getOrCreate("agent-dropped")).integrity).toEqual([]);
  });

  it("spends budgets atomically: concurrent calls on two replicas get exactly the limit, no more", async () => {
    const limits = new Map([["issue_read", 25]]);
    const spends = Array.from({ length: 80 }, (_, i) =>
      (i % 2 === 0 ? replicaA : replicaB).store.spendToolCall("agent-budget", "github", limits, "issue_read"),
    );
    const results = await Promise.all(spends);
    expect(results.filter((result) => result === null)).toHaveLength(25);
    expect(results.filter((result) => result !== null)).toEqual(Array(55).fill('tool call limit reached for "issue_read" (max: 25)'));
    // the budget is per (agent, server): another server's is untouched; a tool without a limit is unlimited
    expect(await replicaB.store.spendToolCall("agent-budget", "other", limits, "issue_read")).toBeNull();
    expect(await replicaB.store.spendToolCall("agent-budget", "github", limits, "list_issues")).toBeNull();
  });

  it("reads back what an agent spent of its budgets as both replicas counted it, by server and tool", async () => {
    const limits = new Map([
      ["issue_read", 5],
      ["list_issues", 5],
    ]);
    await replicaA.store.spendToolCall("agent-spent", "github", limits, "issue_read");
    await replicaB.store.spendToolCall("agent-spent", "github", limits, "issue_read");
    await replicaB.store.spendToolCall("agent-spent", "tracker", limits, "list_issues");
    await replicaA.store.spendToolCall("agent-spent", "github", limits, "unlimited_tool");
    const spent = await replicaA.store.toolCallsSpent("agent-spent");
    expect(Object.fromEntries([...spent].map(([server, tools]) => [server, Object.fromEntries(tools)]))).toEqual({
      github: { issue_read: 2 },
      tracker: { list_issues: 1 },
    });
    expect((await replicaB.store.toolCallsSpent("agent-never-called")).size).toBe(0);
  });

  it("fails calls closed while the server is down, says why in health, and recovers with every acknowledged label", async () => {
    await replicaA.store.addLabels("agent-restart", labelsOf(["private:before-crash"], ["approved:repo"]));
    await redis.kill();
    const refused = await replicaB.store.getOrCreate("agent-restart").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StateUnavailableError);
    expect((refused as StateUnavailableError).code).toBe(STATE_UNAVAILABLE);
    expect((refused as Error).message).toMatch(
      /^the shared DIFC state store did not answer \(.+\): the call was refused rather than decided on labels flowgate could not read; it succeeds again once the state store is back$/,
    );
    await expect(replicaA.store.spendToolCall("agent-restart", "s", new Map([["t", 1]]), "t")).rejects.toBeInstanceOf(StateUnavailableError);
    expect(replicaB.health()).toMatchObject({ backend: "redis", status: "unavailable" });
    // reconnection attempts fail with a socket error, reported without the address it names
    await expect.poll(() => replicaB.health()!.error, { timeout: 5000, interval: 20 }).toMatch(/^connect E[A-Z]+$/);

    await redis.restart();
    // Reconnection is the client's own: wait for it as a caller would, by asking again.
    await expect
      .poll(() => replicaB.store.getOrCreate("agent-restart").then(tags, () => "refused"), { timeout: 10_000, interval: 50 })
      .toEqual({
        secrecy: ["private:before-crash"],
        integrity: ["approved:repo"],
      });
    expect(replicaB.health()).toEqual({ backend: "redis", status: "ok" });
  });

  it("fails calls closed within the command timeout when the server stops answering, and recovers when it answers again", async () => {
    redis.freeze();
    try {
      const started = Date.now();
      await expect(replicaA.store.getOrCreate("agent-frozen")).rejects.toThrow(/did not answer \(Command timed out\)/);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(replicaA.health()).toMatchObject({ status: "unavailable", error: "Command timed out" });
    } finally {
      redis.thaw();
    }
    expect(tags(await replicaA.store.getOrCreate("agent-frozen"))).toEqual({ secrecy: [], integrity: [] });
    expect(replicaA.health()!.status).toBe("ok");
  });

  it("refuses every call, rather than answer with empty labels, once the server comes back without its data", async () => {
    await replicaA.store.addLabels("agent-wiped", labelsOf(["private:repo"], []));
    await redis.kill();
    await redis.restart({ wipe: true });
    await expect.poll(() => replicaB.health()!.error, { timeout: 10_000, interval: 50 }).toMatch(/^FLOWGATE_STATE_LOST /);
    const answer = () => replicaB.store.getOrCreate("agent-wiped").then(tags, (error: unknown) => (error as Error).message);
    await expect
      .poll(answer, { timeout: 10_000, interval: 50 })
      .toMatch(/FLOWGATE_STATE_LOST the state store no longer holds the state this replica started with/);
    await expect(replicaA.store.spendToolCall("agent-wiped", "s", new Map([["t", 5]]), "t")).rejects.toThrow(/FLOWGATE_STATE_LOST/);
    expect(replicaA.health()).toMatchObject({ status: "unavailable" });
  });
});

describe.skipIf(REDIS_SERVER === undefined)(REDIS_SERVER === undefined ? `the persistence check (${NO_REDIS_REASON})` : "the persistence check", () => {
  it("warns, in health, of a server that may lose acknowledged label updates when it restarts", async () => {
    const weak = await startRedis("everysec");
    const state = await openStateBackend(weak.url);
    try {
      expect(state.health()!.warning).toBe(
        `the state store runs with appendonly yes, appendfsync everysec: label updates it acknowledged may be lost if it restarts; set appendonly yes and appendfsync always (docs/scale-out.md)`,
      );
    } finally {
      await state.close();
      await weak.stop();
    }
  });
});

describe("state store URLs", () => {
  it.each([
    ["redis://127.0.0.1:6379", undefined],
    ["rediss://redis.internal:6380/2", undefined],
    ["unix:///run/redis/redis.sock", undefined],
    ["http://127.0.0.1:6379", 'unsupported scheme "http:": expected redis://host:port, rediss://host:port or unix:///path/to/redis.sock'],
    ["127.0.0.1:6379", "not a URL (not quoted here: it may hold the password): expected redis://host:port, rediss://host:port or unix:///path/to/redis.sock"],
    [
      "redis://:hunter2@",
      "not a URL (not quoted here: it may hold the password): expected redis://host:port, rediss://host:port or unix:///path/to/redis.sock",
    ],
  ])("%s: %s", (url, problem) => {
    expect(stateUrlProblem(url)).toBe(problem);
  });

  it("refuses to start on a state store that cannot be reached, naming it without its password", async () => {
    await expect(openStateBackend("redis://:hunter2@127.0.0.1:1")).rejects.toThrow(/^cannot reach the state store at redis:\/\/\*\*\*@127\.0\.0\.1:1: /);
  });
});
