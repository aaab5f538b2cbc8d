// How long to wait before relaunching a backend that failed: nothing the first time (the next
// call should just work), then doubling up to a cap so a crash-looping server is not respawned in
// a tight loop by a busy agent.

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 10_000;

export function restartDelayMs(consecutiveFailures: number): number {
  if (consecutiveFailures <= 1) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** (consecutiveFailures - 2), MAX_DELAY_MS);
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
