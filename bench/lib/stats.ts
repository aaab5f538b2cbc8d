/** Latency summary in microseconds from samples in nanoseconds (bigint from process.hrtime). */
export interface LatencySummary {
  count: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
}

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] as number;
}

export function summarize(samplesNs: readonly number[]): LatencySummary {
  const sorted = [...samplesNs].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || 1);
  return {
    count: sorted.length,
    p50Us: percentile(sorted, 0.5) / 1000,
    p99Us: percentile(sorted, 0.99) / 1000,
    meanUs: mean / 1000,
  };
}

/** Times one async call in nanoseconds. */
export async function timeNs(call: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await call();
  return Number(process.hrtime.bigint() - start);
}

/** The middle value (upper middle for an even count); NaN for no samples. */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}
