// The main thread's synchronous wait for a guard's answer. A guard usually answers within a few
// microseconds, while an answer picked up through Atomics.waitAsync waits for the event loop to
// run its task. So the host first waits on the spot (spinning, then sleeping in Atomics.wait),
// under a budget shared by all guards and refilled once per event-loop turn: however many calls
// a turn makes, and however slow their guards, the loop is blocked at most SYNC_WAIT_BUDGET_US.
import { SYNC_WAIT_BUDGET_US, SYNC_WAIT_SPIN_US } from "./limits.ts";

const BUDGET_MS = SYNC_WAIT_BUDGET_US / 1000;
const SPIN_MS = SYNC_WAIT_SPIN_US / 1000;

let budgetLeftMs = BUDGET_MS;
let refillScheduled = false;

function refill(): void {
  refillScheduled = false;
  budgetLeftMs = BUDGET_MS;
}

/**
 * Waits while `cells[index]` holds `value`, for at most what is left of this turn's budget.
 * Returns whether the value changed; the caller then reads it again.
 */
export function waitBriefly(cells: Int32Array, index: number, value: number): boolean {
  // An answer already there costs no waiting, whatever is left of the budget.
  if (Atomics.load(cells, index) !== value) return true;
  if (budgetLeftMs <= 0) return false;
  const start = performance.now();
  const spinUntil = start + Math.min(SPIN_MS, budgetLeftMs);
  const until = start + budgetLeftMs;
  let now = start;
  let changed = false;
  while (!changed && now < until) {
    if (now >= spinUntil) Atomics.wait(cells, index, value, until - now);
    now = performance.now();
    changed = Atomics.load(cells, index) !== value;
  }
  budgetLeftMs -= now - start;
  if (!refillScheduled) {
    refillScheduled = true;
    // setImmediate runs once the current turn's callbacks and microtasks are done.
    setImmediate(refill).unref();
  }
  return changed;
}
