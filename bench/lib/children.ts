// The benchmarks npm run bench runs as child processes: each in a fresh process, so that its
// memory and JIT state neither pollute nor borrow from the comparison run.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CallingBackFigures } from "../guard.ts";
import { runToExit } from "./processes.ts";

const benchDir = fileURLToPath(new URL("..", import.meta.url));
/** Children run as the gateway does in production: sources (and guard workers) from the compile cache. */
const COMPILE_CACHE = ["--import", fileURLToPath(new URL("../../bin/compile-cache.js", import.meta.url))];

/** What bench/filter-large.ts prints. */
export interface LargeFilterReport {
  /** "stand-in" (16 MiB, in-process guard) or "wasm" (7.5 MiB, guards/bench-labels in the guard host). */
  guard: string;
  payloadBytes: number;
  items: number;
  filteredItems: number;
  resultBytes: number;
  guardOutputBytes: number;
  runs: number;
  msPerRun: number[];
  medianMs: number;
  mbPerSecond: number;
  /** Up to the end of the event-loop turn, when the logger has formatted the difc_filtered records. */
  medianMsWithLog: number;
  medianCpuMsWithLog: number;
  extraPeakBytesPerRun: number[];
  maxExtraPeakBytes: number;
  extraOverPayload: number;
}

export async function measureLargeFilter(runs: number, guard: "stand-in" | "wasm"): Promise<LargeFilterReport> {
  const stdout = await runToExit(
    process.execPath,
    [...COMPILE_CACHE, "--expose-gc", `${benchDir}filter-large.ts`, "--runs", String(runs), "--guard", guard],
    5 * 60_000,
  );
  return JSON.parse(stdout) as LargeFilterReport;
}

/** A micro-benchmark's printed tables, or why it failed. */
export interface MicroBenchmark {
  name: string;
  command: string;
  output?: string;
  error?: string;
  /** The guard host's label_response with a call back, against its floor (issue 17's target). */
  callingBack?: CallingBackFigures;
}

const MICRO_BENCHMARKS = [
  { name: "guard host", script: "guard.ts", command: "npm run bench:guard" },
  { name: "DIFC engine", script: "difc.ts", command: "npm run bench:difc" },
] as const;

/** Runs the guard and DIFC micro-benchmarks one after the other; a failure is reported, not thrown. */
export async function runMicroBenchmarks(): Promise<MicroBenchmark[]> {
  const results: MicroBenchmark[] = [];
  const figuresDir = await mkdtemp(join(tmpdir(), "flowgate-bench-figures-"));
  try {
    for (const { name, script, command } of MICRO_BENCHMARKS) {
      const figures = join(figuresDir, `${script}.json`);
      const args = script === "guard.ts" ? ["--figures", figures] : [];
      try {
        const output = (await runToExit(process.execPath, [...COMPILE_CACHE, "--expose-gc", `${benchDir}${script}`, ...args], 10 * 60_000)).trimEnd();
        const callingBack = args.length > 0 ? (JSON.parse(await readFile(figures, "utf8")) as CallingBackFigures) : undefined;
        results.push({ name, command, output, ...(callingBack ? { callingBack } : {}) });
      } catch (error) {
        results.push({ name, command, error: error instanceof Error ? error.message : String(error) });
      }
      console.error(`micro-benchmark ${name} done`);
    }
  } finally {
    await rm(figuresDir, { recursive: true, force: true });
  }
  return results;
}
