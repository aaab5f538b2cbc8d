import { describe, expect, it } from "vitest";
import { CircuitBreaker, CircuitOpenError, RATE_LIMIT_CIRCUIT_OPEN } from "../../src/gateway/forward/circuit-breaker.ts";
import type { LogLevel } from "../../src/log/types.ts";

const START = Date.UTC(2026, 0, 1, 12, 0, 0);
const LIMITED = { isError: true, content: [{ type: "text", text: "API rate limit exceeded" }] };
const OK = { content: [{ type: "text", text: "fine" }] };
const limitedResettingIn = (seconds: number) => ({ isError: true, content: [{ type: "text", text: `API rate limit exceeded; rate reset in ${seconds}s` }] });

/** A breaker on a fake clock (threshold 3, cooldown 60 s) and the log lines it wrote. */
function breaker(threshold = 3) {
  const clock = { now: START };
  const lines: Array<{ level: LogLevel; message: string }> = [];
  const subject = new CircuitBreaker({
    serverId: "github",
    threshold,
    cooldownMs: 60_000,
    clock: () => clock.now,
    log: (level, message) => lines.push({ level, message }),
  });
  const call = (result: unknown) => subject.run(async () => result);
  return { subject, clock, lines, call };
}

async function rejection(promise: Promise<unknown>): Promise<CircuitOpenError> {
  const error: unknown = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  if (!(error instanceof CircuitOpenError)) throw new Error(`expected a CircuitOpenError, got ${String(error)}`);
  return error;
}

async function openBreaker(b: ReturnType<typeof breaker>, result: unknown = LIMITED): Promise<void> {
  for (let i = 0; i < 3; i++) await b.call(result);
}

describe("the rate-limit circuit breaker", () => {
  it.each([
    ["threshold 1", 1],
    ["threshold 3", 3],
  ])("opens after %s consecutive rate-limited results, and returns them", async (_name, threshold) => {
    const b = breaker(threshold);
    for (let i = 0; i < threshold; i++) {
      expect(b.subject.state).toBe("CLOSED");
      expect(await b.call(LIMITED)).toBe(LIMITED);
    }
    expect(b.subject.state).toBe("OPEN");
    expect(b.lines).toEqual([
      { level: "warn", message: `circuit breaker for server "github" OPENED after ${threshold} consecutive rate-limit errors; resets at 2026-01-01T12:01:00Z` },
    ]);
  });

  it.each([
    ["a successful result", OK],
    ["an error that is not a rate limit", { isError: true, content: [{ type: "text", text: "not found" }] }],
  ])("resets the count on %s", async (_name, result) => {
    const b = breaker();
    await b.call(LIMITED);
    await b.call(LIMITED);
    await b.call(result);
    await b.call(LIMITED);
    await b.call(LIMITED);
    expect(b.subject.state).toBe("CLOSED");
  });

  it("does not count a failed call either way", async () => {
    const b = breaker();
    await b.call(LIMITED);
    await b.call(LIMITED);
    await expect(b.subject.run(() => Promise.reject(new Error("connection reset")))).rejects.toThrow("connection reset");
    expect(b.subject.state).toBe("CLOSED");
    await b.call(LIMITED);
    expect(b.subject.state).toBe("OPEN");
  });

  it.each([
    ["no reset time: the cooldown", LIMITED, 30, 'rate limit circuit breaker is OPEN for server "github" — requests temporarily rejected', 30],
    [
      "a reset time after the cooldown",
      limitedResettingIn(150),
      10,
      'rate limit circuit breaker is OPEN for server "github" — rate limit resets at 2026-01-01T12:02:30Z (retry after 2m20s)',
      140,
    ],
    [
      "a reset time before the cooldown",
      limitedResettingIn(20),
      5,
      'rate limit circuit breaker is OPEN for server "github" — rate limit resets at 2026-01-01T12:00:20Z (retry after 55s)',
      55,
    ],
    ["a reset time already past", limitedResettingIn(20), 30, 'rate limit circuit breaker is OPEN for server "github" — requests temporarily rejected', 30],
  ])("rejects without calling the backend while open, saying when to retry (%s)", async (_name, result, elapsedS, message, retryAfterSeconds) => {
    const b = breaker();
    await openBreaker(b, result);
    b.clock.now += elapsedS * 1000;
    let called = false;
    const error = await rejection(b.subject.run(async () => (called = true)));
    expect(called).toBe(false);
    expect({ code: error.code, message: error.message, data: error.data }).toEqual({
      code: RATE_LIMIT_CIRCUIT_OPEN,
      message,
      data: { server: "github", retryAfterSeconds },
    });
  });

  it.each([
    ["the cooldown", LIMITED, 60],
    ["the upstream reset time, when later", limitedResettingIn(90), 90],
  ])("lets one probe through after %s", async (_name, result, waitS) => {
    const b = breaker();
    await openBreaker(b, result);
    b.clock.now += (waitS - 1) * 1000;
    await rejection(b.call(OK));
    b.clock.now += 1000;
    expect(await b.call(OK)).toBe(OK);
    expect(b.subject.state).toBe("CLOSED");
  });

  it("rejects other calls while the half-open probe is in flight, then closes on its success", async () => {
    const b = breaker();
    await openBreaker(b);
    b.clock.now += 60_000;
    let answer: (result: unknown) => void = () => undefined;
    const probe = b.subject.run(() => new Promise<unknown>((resolve) => (answer = resolve)));
    expect(b.subject.state).toBe("HALF-OPEN");
    const error = await rejection(b.call(OK));
    expect(error.message).toBe('rate limit circuit breaker is HALF-OPEN for server "github" — a probe request is in flight, requests temporarily rejected');
    answer(OK);
    expect(await probe).toBe(OK);
    expect(b.subject.state).toBe("CLOSED");
    expect(await b.call(OK)).toBe(OK);
    expect(b.lines.map((line) => line.message).slice(1)).toEqual([
      'circuit breaker for server "github" HALF-OPEN: letting one probe request through',
      'circuit breaker for server "github" CLOSED: probe request succeeded',
    ]);
  });

  it("opens again for a full cooldown when the probe is rate-limited", async () => {
    const b = breaker();
    await openBreaker(b);
    b.clock.now += 60_000;
    expect(await b.call(LIMITED)).toBe(LIMITED);
    expect(b.subject.state).toBe("OPEN");
    expect(b.lines.at(-1)).toEqual({
      level: "warn",
      message: 'circuit breaker for server "github" re-OPENED: probe request was rate-limited; resets at 2026-01-01T12:02:00Z',
    });
    b.clock.now += 59_000;
    await rejection(b.call(OK));
    b.clock.now += 1000;
    await b.call(OK);
    expect(b.subject.state).toBe("CLOSED");
  });

  it("lets the next call probe when the probe fails in transport", async () => {
    const b = breaker();
    await openBreaker(b);
    b.clock.now += 60_000;
    await expect(b.subject.run(() => Promise.reject(new Error("backend gone")))).rejects.toThrow("backend gone");
    expect(b.subject.state).toBe("HALF-OPEN");
    expect(await b.call(OK)).toBe(OK);
    expect(b.subject.state).toBe("CLOSED");
  });
});
