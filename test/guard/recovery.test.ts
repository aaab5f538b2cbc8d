import { describe, expect, it } from "vitest";
import type { BackendCaller } from "../../src/guard/index.ts";
import { command, loadEdgeGuard, memoryLogger } from "./helpers.ts";

const policy = { "allow-only": { repos: "all", "min-integrity": "none" } };
const soon = (ms = 300) => ({ deadline: Date.now() + ms });

describe("recovery after a guard fails", () => {
  it("stops a guard that never returns at the deadline, then serves the next call with the policy replayed", async () => {
    const guard = await loadEdgeGuard("scripted", { poolSize: 1 });
    await guard.labelAgent(policy);
    await expect(guard.labelResource(command("L"), null, soon())).rejects.toMatchObject({ kind: "timeout", guard: "scripted" });
    expect(guard.status()).toMatchObject({ state: "recovering", failures: 1, consecutiveFailures: 1 });
    await expect(guard.labelResource("ok", null)).resolves.toMatchObject({ description: "policy-set", secrecy: ["s"] });
    expect(guard.status()).toMatchObject({ state: "healthy", consecutiveFailures: 0, recoveries: 1 });
    await guard.close();
  });

  it("stops a call at its deadline while the guard waits for a backend that does not answer, and aborts the backend call", async () => {
    const guard = await loadEdgeGuard("scripted", { poolSize: 1 });
    let backendSignal: AbortSignal | undefined;
    const hangingBackend: BackendCaller = (_tool, _args, signal) => {
      backendSignal = signal;
      return new Promise(() => {});
    };
    await expect(guard.labelResource(command("C"), null, { backend: hangingBackend, ...soon() })).rejects.toMatchObject({ kind: "timeout" });
    expect(backendSignal?.aborted).toBe(true);
    await expect(guard.labelResource("ok", null)).resolves.toMatchObject({ operation: "read" });
    await guard.close();
  });

  it.each([
    ["T", "unreachable"],
    ["S", "Maximum call stack size exceeded"],
    ["E", "guard exited with code 1"],
  ])("treats command %s as a trap naming the guard and cause, re-instantiates and replays label_agent", async (letter, cause) => {
    const logger = memoryLogger();
    const guard = await loadEdgeGuard("scripted", { poolSize: 1, logger });
    await guard.labelAgent(policy);
    const failure = guard.labelResource(command(letter), null);
    await expect(failure).rejects.toMatchObject({ kind: "trap", message: expect.stringContaining(cause) });
    await expect(failure).rejects.toThrow("WASM guard 'scripted' label_resource failed");
    expect(logger.lines.some((l) => l.level === "error" && l.message.startsWith("WASM guard trap: guard=scripted"))).toBe(true);
    await expect(guard.labelResource("ok", null)).resolves.toMatchObject({ description: "policy-set" });
    await guard.close();
  });

  it("fails a call already cancelled or past its deadline without running or blaming the guard", async () => {
    const guard = await loadEdgeGuard("scripted", { poolSize: 1 });
    await expect(guard.labelResource("ok", null, { deadline: Date.now() - 1 })).rejects.toMatchObject({ kind: "timeout" });
    await expect(guard.labelResource("ok", null, { signal: AbortSignal.abort() })).rejects.toMatchObject({ kind: "cancelled" });
    expect(guard.status()).toMatchObject({ state: "healthy", calls: 0, failures: 0 });
    await guard.close();
  });

  it("treats proc_exit(0) as a failed call, not a crash, and keeps serving", async () => {
    const guard = await loadEdgeGuard("scripted", { poolSize: 1 });
    await expect(guard.labelResource(command("Z"), null)).rejects.toMatchObject({ kind: "error", message: expect.stringContaining("code 0") });
    expect(guard.status().failures).toBe(0);
    await expect(guard.labelResource("ok", null)).resolves.toMatchObject({ description: "no-policy" });
    await guard.close();
  });

  it("backs off after repeated failures, reports recovering then failed, and heals on success", async () => {
    let now = 1_000_000;
    const guard = await loadEdgeGuard("scripted", { poolSize: 1, now: () => now });
    await expect(guard.labelResource(command("T"), null)).rejects.toMatchObject({ kind: "trap" });
    await expect(guard.labelResource(command("T"), null)).rejects.toMatchObject({ kind: "trap" });
    await expect(guard.labelResource("ok", null)).rejects.toMatchObject({
      kind: "unavailable",
      message: expect.stringContaining("recovering after 2 consecutive failures"),
    });
    expect(guard.status().state).toBe("recovering");
    for (let n = 2; n < 5; n++) {
      now += 100 * 2 ** (n - 2);
      await expect(guard.labelResource(command("T"), null)).rejects.toMatchObject({ kind: "trap" });
    }
    expect(guard.status()).toMatchObject({ state: "failed", consecutiveFailures: 5, lastError: expect.stringContaining("unreachable") });
    now += 60_000;
    await expect(guard.labelResource("ok", null)).resolves.toMatchObject({ operation: "read" });
    expect(guard.status().state).toBe("healthy");
    await guard.close();
  });
});

describe("a pool of instances under concurrent calls", () => {
  it("keeps serving other calls on the second instance while one guard call loops", async () => {
    const guard = await loadEdgeGuard("scripted", { poolSize: 2 });
    await guard.labelAgent(policy);
    let loopSettled = false;
    // No deadline: the loop runs until close, so it cannot end before the other calls.
    const looping = guard.labelResource(command("L"), null).finally(() => (loopSettled = true));
    looping.catch(() => {});
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => guard.labelResource(`t${i}`, null)));
    expect(loopSettled).toBe(false);
    // Every result comes from an instance that has the policy, replayed into the second one.
    expect(results.every((r) => r.description === "policy-set")).toBe(true);
    await guard.close();
    await expect(looping).rejects.toMatchObject({ kind: "unavailable" });
  });

  it("serves queued calls on replacement workers after every instance timed out", async () => {
    let now = 0;
    const guard = await loadEdgeGuard("scripted", { poolSize: 2, now: () => now });
    await guard.labelAgent(policy);
    // Both instances up (and holding the policy) before the loops start.
    await Promise.all([guard.labelResource("warm-a", null), guard.labelResource("warm-b", null)]);
    const loops = [guard.labelResource(command("L"), null, soon()), guard.labelResource(command("L"), null, soon())];
    const queued = Array.from({ length: 4 }, (_, i) => guard.labelResource(`q${i}`, null));
    const outcomes = await Promise.allSettled([...loops, ...queued]);
    expect(outcomes.map((o) => (o.status === "rejected" ? (o.reason as { kind: string }).kind : o.value.description))).toEqual([
      "timeout",
      "timeout",
      "policy-set",
      "policy-set",
      "policy-set",
      "policy-set",
    ]);
    expect(guard.status().failures).toBe(2);
    now += 60_000;
    await expect(guard.labelResource("after", null)).resolves.toMatchObject({ description: "policy-set" });
    expect(guard.status().state).toBe("healthy");
    await guard.close();
  });

  it("recovers under concurrent traps and successes without losing a call", async () => {
    const guard = await loadEdgeGuard("scripted", { poolSize: 2 });
    await guard.labelAgent(policy);
    const calls = Array.from({ length: 12 }, (_, i) => guard.labelResource(i % 3 === 0 ? command("T") : `ok${i}`, null));
    const outcomes = await Promise.allSettled(calls);
    const fulfilled = outcomes.filter((o) => o.status === "fulfilled");
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(fulfilled).toHaveLength(8);
    expect(fulfilled.every((o) => o.value.description === "policy-set")).toBe(true);
    expect(rejected.map((o) => (o.reason as { kind: string }).kind)).toEqual(["trap", "trap", "trap", "trap"]);
    await guard.close();
  });
});

describe("cancellation and close", () => {
  it("fails a cancelled call at once and still frees its buffers with dealloc", async () => {
    const logger = memoryLogger();
    const guard = await loadEdgeGuard("scripted", { poolSize: 1, logger });
    const controller = new AbortController();
    let backendCalled!: () => void;
    const reached = new Promise<void>((resolve) => (backendCalled = resolve));
    const hangingBackend: BackendCaller = (_tool, _args, signal) =>
      new Promise((_, reject) => {
        backendCalled();
        signal.addEventListener("abort", () => reject(new Error("aborted")));
      });
    const call = guard.labelResource(command("C"), null, { backend: hangingBackend, signal: controller.signal });
    await reached;
    const before = logger.lines.filter((l) => l.message === "dealloc").length;
    controller.abort();
    await expect(call).rejects.toMatchObject({ kind: "cancelled" });
    // The next call waits for the single instance, so by then the cancelled call has finished.
    await expect(guard.labelResource("ok", null)).resolves.toMatchObject({ operation: "read" });
    expect(logger.lines.filter((l) => l.message === "dealloc").length - before).toBe(4);
    expect(guard.status().consecutiveFailures).toBe(0);
    await guard.close();
  });

  it("closes twice and with an aborted signal, fails running and later calls as unavailable", async () => {
    const guard = await loadEdgeGuard("scripted", { poolSize: 1 });
    const running = expect(guard.labelResource(command("L"), null)).rejects.toMatchObject({ kind: "unavailable" });
    const queued = expect(guard.labelResource("ok", null)).rejects.toMatchObject({ kind: "unavailable" });
    await guard.close(AbortSignal.abort());
    await guard.close();
    await running;
    await queued;
    await expect(guard.labelResource("ok", null)).rejects.toThrow("WASM guard 'scripted' is closed");
    expect(guard.status()).toMatchObject({ closed: true, instances: 0 });
  });
});
