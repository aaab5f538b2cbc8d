import { getHeapStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { collectHeapWhenIdle, IDLE_UTILIZATION, processHeapDeps, RESIDENT_GROWTH_BYTES } from "../../src/cli/idle-heap-collection.ts";

const MiB = 2 ** 20;

/** Drives the collector through ticks of (event-loop utilisation, resident memory) and counts its collections. */
function run(ticks: ReadonlyArray<{ busy: number; resident: number }>): number {
  let resident = 100 * MiB;
  let busy = 0;
  let collections = 0;
  let tick: () => void = () => undefined;
  const stop = collectHeapWhenIdle({
    utilization: () => busy,
    residentBytes: () => resident,
    collect: () => {
      collections++;
      resident = 60 * MiB;
    },
    every: (_ms, each) => {
      tick = each;
      return () => (tick = () => undefined);
    },
  });
  for (const step of ticks) {
    busy = step.busy;
    resident = step.resident;
    tick();
  }
  stop();
  return collections;
}

describe("the gateway collects its heap once it is idle after a burst", () => {
  const grown = 100 * MiB + RESIDENT_GROWTH_BYTES;
  it.each([
    { name: "busy, memory grown: no collection while calls are served", ticks: [{ busy: 0.5, resident: grown }], collections: 0 },
    { name: "idle, memory barely grown: not worth a pause", ticks: [{ busy: 0, resident: grown - MiB }], collections: 0 },
    { name: "idle after growth: one collection", ticks: [{ busy: IDLE_UTILIZATION, resident: grown }], collections: 1 },
    {
      name: "idle again without new growth since: no second collection",
      ticks: [
        { busy: 0, resident: grown },
        { busy: 0, resident: 60 * MiB + MiB },
      ],
      collections: 1,
    },
    {
      name: "a second burst grows it again: a second collection",
      ticks: [
        { busy: 0, resident: grown },
        { busy: 0.9, resident: 60 * MiB + RESIDENT_GROWTH_BYTES },
        { busy: 0, resident: 60 * MiB + RESIDENT_GROWTH_BYTES },
      ],
      collections: 2,
    },
    {
      name: "memory handed back after a collection lowers the mark the next burst is measured from",
      ticks: [
        { busy: 0, resident: grown },
        { busy: 0, resident: 40 * MiB },
        { busy: 0.9, resident: 40 * MiB + RESIDENT_GROWTH_BYTES },
        { busy: 0, resident: 40 * MiB + RESIDENT_GROWTH_BYTES },
      ],
      collections: 2,
    },
  ])("$name", ({ ticks, collections }) => {
    expect(run(ticks)).toBe(collections);
  });

  it("gives the garbage back without exposing gc to the process's own modules", () => {
    let kept: unknown[] = [];
    for (let i = 0; i < 300_000; i++) {
      kept.push({ text: `item ${i} `.repeat(8), list: [i, i + 1] });
      if (kept.length > 20_000) kept = [];
    }
    const before = getHeapStatistics().used_heap_size;
    processHeapDeps().collect();
    expect(getHeapStatistics().used_heap_size).toBeLessThan(before / 2);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
