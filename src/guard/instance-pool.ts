// A fixed number of slots, each holding at most one guard worker that serves one call at a
// time. Callers wait for a free slot in arrival order; a wait ends early on abort or deadline.
import type { PoolUsage } from "./types.ts";
import type { GuardWorker } from "./worker-host.ts";

export interface Slot {
  readonly index: number;
  /** The worker, or its start in progress; undefined after it was terminated. */
  worker?: Promise<GuardWorker>;
  /** Which recorded policy this slot's instance has seen (0: none). */
  policyVersion: number;
  busy: boolean;
}

interface Waiter {
  resolve: (slot: Slot) => void;
  reject: (error: Error) => void;
}

export class InstancePool {
  readonly slots: Slot[];
  readonly #waiters: Waiter[] = [];

  constructor(size: number) {
    this.slots = Array.from({ length: size }, (_, index) => ({ index, policyVersion: 0, busy: false }));
  }

  /** A free slot now, preferring one whose worker is already started; none if all are busy or the call is cancelled. */
  tryAcquire(signal: AbortSignal | undefined): Slot | undefined {
    if (signal?.aborted) return undefined;
    const free = this.slots.find((s) => !s.busy && s.worker) ?? this.slots.find((s) => !s.busy);
    if (free) free.busy = true;
    return free;
  }

  /** A free slot, or the first to become free; rejects on abort or at the deadline. */
  acquire(signal: AbortSignal | undefined, deadline: number, errors: { timeout: () => Error; cancelled: () => Error }): Promise<Slot> {
    if (signal?.aborted) return Promise.reject(errors.cancelled());
    const free = this.tryAcquire(signal);
    if (free) return Promise.resolve(free);
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
      };
      const waiter: Waiter = {
        resolve: (slot) => {
          cleanup();
          resolve(slot);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      };
      const onAbort = () => waiter.reject(errors.cancelled());
      const timer = setTimeout(() => waiter.reject(errors.timeout()), Math.max(0, deadline - Date.now()));
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** How busy the pool is, for /health: an operator sees calls queueing for an instance. */
  usage(): PoolUsage {
    return { size: this.slots.length, busy: this.slots.filter((s) => s.busy).length, waiting: this.#waiters.length };
  }

  release(slot: Slot): void {
    const next = this.#waiters.shift();
    if (next) next.resolve(slot);
    else slot.busy = false;
  }

  rejectWaiters(error: Error): void {
    for (const waiter of [...this.#waiters]) waiter.reject(error);
  }
}
