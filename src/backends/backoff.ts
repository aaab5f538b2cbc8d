// How long after a failure a backend may be relaunched: at once the first time (the next call
// should just work), then doubling up to a cap, so a crash-looping server is not respawned in a
// tight loop by a busy agent. Calls inside the window fail at once instead of waiting.

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 10_000;

export function restartDelayMs(consecutiveFailures: number): number {
  if (consecutiveFailures <= 1) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** (consecutiveFailures - 2), MAX_DELAY_MS);
}
