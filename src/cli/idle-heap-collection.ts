// Giving memory back after a burst. Under load V8 sizes the young generation for the garbage rate
// and promotes what is still in flight into the old generation, where it dies; no full collection
// runs while the gateway stays under its heap limit, and V8's memory reducer starts only after
// one, so a gateway that served 16 busy sessions keeps 200–230 MiB of RSS, most of it garbage,
// long after the load is gone (docs/performance.md, "Memory, third round"). Once the process has
// been idle for a whole interval and its resident memory has grown well past what it was after the
// last such collection, one memory-reducing full collection gives that back. Resident memory, not
// the heap's committed size: a collection V8 ran by itself during the load can bring the committed
// size back near its last value while the pages, buffers and young generation it held stay
// resident (a run that left 217 MiB resident was not collected; docs/performance.md, fourth sitting).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { performance } from "node:perf_hooks";

/** How often idleness is looked at. */
export const IDLE_CHECK_MS = 1_000;
/** Busier than this share of an interval (event-loop utilisation) is not idle. */
export const IDLE_UTILIZATION = 0.02;
/** Growth of resident memory since the last collection below which a collection is not worth its pause. */
export const RESIDENT_GROWTH_BYTES = 32 * 2 ** 20;

export interface IdleHeapDeps {
  /** The event loop's utilisation (0–1) since the previous call. */
  utilization(): number;
  /** The process's resident memory now. */
  residentBytes(): number;
  /** A full, memory-reducing collection. */
  collect(): void;
  /** Runs `tick` every `ms` without keeping the process alive; returns its stop. */
  every(ms: number, tick: () => void): () => void;
}

/** Starts watching; the returned function stops it. */
export function collectHeapWhenIdle(deps: IdleHeapDeps = processHeapDeps()): () => void {
  let baseline = deps.residentBytes();
  return deps.every(IDLE_CHECK_MS, () => {
    const idle = deps.utilization() <= IDLE_UTILIZATION;
    const resident = deps.residentBytes();
    // Pages V8 and malloc hand back after a collection has returned leave later: growth counts from the lowest point seen.
    baseline = Math.min(baseline, resident);
    if (!idle || resident - baseline < RESIDENT_GROWTH_BYTES) return;
    deps.collect();
    // What stays resident after a collection (a guard's memory, malloc's arenas) does not make the next one come sooner.
    baseline = deps.residentBytes();
  });
}

/** The real process: V8's own collector, reached without exposing `gc` to every module. */
export function processHeapDeps(): IdleHeapDeps {
  let previous = performance.eventLoopUtilization();
  return {
    utilization() {
      const now = performance.eventLoopUtilization();
      const share = performance.eventLoopUtilization(now, previous).utilization;
      previous = now;
      return share;
    },
    residentBytes: () => process.memoryUsage.rss(),
    collect: fullCollection(),
    every(ms, tick) {
      const timer = setInterval(tick, ms).unref();
      return () => clearInterval(timer);
    },
  };
}

type GcFunction = (options: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;

/**
 * V8's `gc` in a context of its own: the flag only adds the function to contexts made after it is
 * set, so the gateway's modules never see one. "last-resort" is V8's memory-reducing collection,
 * the one that also shrinks the young generation and returns freed pages to the system.
 */
function fullCollection(): () => void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as GcFunction;
  return () => gc({ type: "major", execution: "sync", flavor: "last-resort" });
}
