// The shape of one comparison run, as bench/results/compare-latest.json holds it.
import type { LargeFilterReport, MicroBenchmark } from "./children.ts";
import type { ColdStartReport } from "./cold-start.ts";
import type { TargetCheck } from "./issue-targets.ts";
import type { LatencySummary } from "./stats.ts";

/** One configuration's figures. */
export interface ResultRow {
  name: string;
  description: string;
  /** The call the latency figures time (echo, read_text_file). */
  workload: string;
  /** The configuration this one's added latency is measured against. */
  floor: string;
  /** Sequential small call (~1 KB). */
  small: LatencySummary;
  /** Sequential 256 KB call, for workloads that have one. */
  large?: LatencySummary;
  largeError?: string;
  /** Calls with 16 concurrent sessions, for workloads in the throughput phase. */
  throughput?: { callsPerSecond: number; calls: number; errors: number; sessions: number; seconds: number };
  rssMiB?: number;
  error?: string;
}

export interface CompareReport {
  date: string;
  quick: boolean;
  node: string;
  machine: string;
  plan: Record<string, number>;
  results: ResultRow[];
  coldStart?: ColdStartReport | { error: string };
  /** 16 MiB through the pipeline with an in-process stand-in guard (the WASM input cap is 8 MiB). */
  largeFilter?: LargeFilterReport | { error: string };
  /** 7.5 MiB through the pipeline with a real WASM guard (guards/bench-labels). */
  largeFilterWasm?: LargeFilterReport | { error: string };
  micro?: MicroBenchmark[];
  targets: TargetCheck[];
}
