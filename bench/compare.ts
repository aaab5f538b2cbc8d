// npm run bench: flowgate against the direct floor and peer gateways, measured in one run,
// interleaved in rounds (A B C … A B C …) so that drift on a noisy machine hits every
// configuration alike; then cold start, the 16 MiB filtered response and the guard and DIFC
// micro-benchmarks. Writes bench/results/compare-latest.json and regenerates docs/performance.md.
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { measureLargeFilter, runMicroBenchmarks, type LargeFilterReport, type MicroBenchmark } from "./lib/children.ts";
import { measureColdStart, type ColdStartReport } from "./lib/cold-start.ts";
import { filesystemTargets } from "./lib/filesystem-targets.ts";
import { flowgateGuardedRedis } from "./lib/redis-target.ts";
import { checkTargets } from "./lib/issue-targets.ts";
import { killAll, rssMiB } from "./lib/processes.ts";
import { writePerformanceDoc } from "./lib/report.ts";
import type { CompareReport, ResultRow } from "./lib/report-types.ts";
import { summarize, timeNs } from "./lib/stats.ts";
import {
  direct,
  flowgateGuarded,
  flowgateGuardedSdkToolsCall,
  flowgateGuardedNodeFlagsOff,
  flowgateGuardedSemiSpace4,
  httpFloor,
  relayFloor,
  flowgateNoGuard,
  mcpProxy,
  supergateway,
  type RunningTarget,
  type Target,
} from "./lib/targets.ts";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    // With --only: the interleaved configurations alone, printed as JSON; nothing else runs, no file is written.
    "configurations-only": { type: "boolean", default: false },
    "only-cold-start": { type: "boolean", default: false },
  },
});

// A smoke run (--quick) must end within 2 minutes on a busy 2-core machine: every session spawns
// its own backend process, so it uses 2 sessions instead of 16, one repetition of the rest, and
// leaves out the micro-benchmarks and the cold start without a guard.
const plan = flags.quick
  ? {
      rounds: 2,
      warmup: 20,
      smallPerRound: 60,
      largePerRound: 3,
      throughputRounds: 1,
      throughputMs: 1500,
      sessions: 2,
      coldStartRepetitions: 1,
      largeFilterRuns: 1,
    }
  : {
      rounds: 5,
      warmup: 200,
      smallPerRound: 420,
      largePerRound: 20,
      throughputRounds: 2,
      throughputMs: 5000,
      sessions: 16,
      coldStartRepetitions: 7,
      largeFilterRuns: 5,
    };

const startedAt = performance.now();
const elapsed = () => `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function sequential(client: Client, call: (client: Client) => Promise<unknown>, count: number, into: number[]): Promise<void> {
  for (let i = 0; i < count; i++) into.push(await timeNs(() => call(client)));
}

async function throughput(target: Target, running: RunningTarget, sessions: number, ms: number): Promise<{ calls: number; errors: number }> {
  const call = target.workload.small;
  const clients = await Promise.all(Array.from({ length: sessions }, () => running.connect()));
  // One call per session first: gateways that start a session's backend lazily (flowgate) or at
  // connect (supergateway) are then measured alike, in steady state. A session whose backend
  // could not start counts as an error and keeps calling.
  const firstCalls = await Promise.allSettled(clients.map((client) => call(client)));
  const deadline = performance.now() + ms;
  let calls = 0;
  let errors = firstCalls.filter((outcome) => outcome.status === "rejected").length;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        try {
          await call(client);
          calls++;
        } catch {
          errors++;
        }
      }
    }),
  );
  await Promise.all(clients.map((client) => client.close()));
  return { calls, errors };
}

interface Samples {
  small: number[];
  large: number[];
  largeError?: string;
  calls: number;
  errors: number;
}

/** The interleaved rounds: latency of every configuration, then throughput of the echo ones. */
async function compareConfigurations(targets: readonly Target[]): Promise<ResultRow[]> {
  const running = new Map<Target, { target: RunningTarget; client: Client }>();
  const failures = new Map<string, string>();
  // Start-up is not measured here (cold start is, separately), so every configuration starts at once.
  const starts = await Promise.allSettled(
    targets.map(async (target) => {
      const started = await target.start();
      try {
        return { target: started, client: await started.connect() };
      } catch (error) {
        await started.stop();
        throw error;
      }
    }),
  );
  for (const [i, target] of targets.entries()) {
    const outcome = starts[i]!;
    try {
      if (outcome.status === "rejected") throw outcome.reason;
      await sequential(outcome.value.client, target.workload.small, plan.warmup, []);
      running.set(target, outcome.value);
    } catch (error) {
      if (outcome.status === "fulfilled") await outcome.value.target.stop();
      failures.set(target.name, errorText(error));
      console.error(`skipping ${target.name}: ${failures.get(target.name)}`);
    }
  }
  console.error(`${running.size} configurations started and warmed up at ${elapsed()}`);
  const samples = new Map<Target, Samples>();
  for (const target of running.keys()) samples.set(target, { small: [], large: [], calls: 0, errors: 0 });

  for (let round = 0; round < plan.rounds; round++) {
    for (const [target, { client }] of running) {
      const s = samples.get(target)!;
      await sequential(client, target.workload.small, plan.smallPerRound, s.small);
      const large = target.workload.large;
      if (!large || s.largeError) continue;
      try {
        await sequential(client, large, plan.largePerRound, s.large);
      } catch (error) {
        // A peer that cannot carry 256 KB (e.g. a 100 KB body limit) is reported, not fatal.
        const status = (error as { code?: unknown }).code;
        s.largeError = typeof status === "number" ? `HTTP ${status}` : errorText(error).split("\n")[0];
      }
    }
    console.error(`latency round ${round + 1}/${plan.rounds} done at ${elapsed()}`);
  }
  for (let round = 0; round < plan.throughputRounds; round++) {
    for (const [target, { target: started }] of running) {
      if (!target.workload.throughput) continue;
      const s = samples.get(target)!;
      try {
        const result = await throughput(target, started, plan.sessions, plan.throughputMs);
        s.calls += result.calls;
        s.errors += result.errors;
      } catch (error) {
        // Sessions that cannot even connect: every session of the round counts as failed.
        s.errors += plan.sessions;
        console.error(`throughput of ${target.name} failed: ${errorText(error).split("\n")[0]}`);
      }
    }
    console.error(`throughput round ${round + 1}/${plan.throughputRounds} done at ${elapsed()}`);
  }

  const results: ResultRow[] = [];
  const seconds = (plan.throughputRounds * plan.throughputMs) / 1000;
  for (const target of targets) {
    const base = { name: target.name, description: target.description, workload: target.workload.name, floor: target.workload.floor };
    const entry = running.get(target);
    const s = samples.get(target);
    if (!entry || !s) {
      results.push({ ...base, error: failures.get(target.name), small: summarize([]) });
      continue;
    }
    results.push({
      ...base,
      small: summarize(s.small),
      ...(target.workload.large ? { large: summarize(s.largeError ? [] : s.large) } : {}),
      ...(s.largeError ? { largeError: s.largeError } : {}),
      ...(target.workload.throughput
        ? { throughput: { callsPerSecond: s.calls / seconds, calls: s.calls, errors: s.errors, sessions: plan.sessions, seconds } }
        : {}),
      ...(entry.target.gatewayPid === undefined ? {} : { rssMiB: await rssMiB(entry.target.gatewayPid) }),
    });
  }
  for (const { client, target } of running.values()) {
    await client.close();
    await target.stop();
  }
  return results;
}

/** Runs one extra measurement; a failure is recorded in the report instead of ending the run. */
async function attempt<T>(name: string, measure: () => Promise<T>): Promise<T | { error: string }> {
  const start = performance.now();
  try {
    const result = await measure();
    console.error(`${name} done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    return result;
  } catch (error) {
    console.error(`${name} failed: ${errorText(error)}`);
    return { error: errorText(error) };
  }
}

async function main(): Promise<void> {
  if (flags["only-cold-start"]) {
    // The cold start alone (with and without the guard), printed as JSON and written nowhere.
    console.log(JSON.stringify(await measureColdStart(flags.quick ? 1 : 5, { withoutGuard: true }), null, 2));
    return;
  }
  const allTargets: Target[] = [
    direct,
    httpFloor,
    relayFloor,
    flowgateNoGuard,
    flowgateGuarded,
    flowgateGuardedRedis,
    supergateway,
    mcpProxy,
    ...(await filesystemTargets()),
  ];
  // Variants for A/B runs, never part of the full run.
  const variants = [flowgateGuardedSdkToolsCall, flowgateGuardedNodeFlagsOff, flowgateGuardedSemiSpace4];
  const targets = flags.only ? [...allTargets, ...variants].filter((t) => flags.only!.split(",").includes(t.name)) : allTargets;
  const results = await compareConfigurations(targets);
  if (flags["configurations-only"]) {
    console.log(JSON.stringify({ date: new Date().toISOString(), loadAverage: os.loadavg(), plan, results }, null, 2));
    return;
  }
  const coldStart: ColdStartReport | { error: string } = await attempt("cold start", () =>
    measureColdStart(plan.coldStartRepetitions, { withoutGuard: !flags.quick }),
  );
  const largeFilter: LargeFilterReport | { error: string } = await attempt("16 MiB filtered response", () =>
    measureLargeFilter(plan.largeFilterRuns, "stand-in"),
  );
  const largeFilterWasm: LargeFilterReport | { error: string } = await attempt("7.5 MiB filtered response, WASM guard", () =>
    measureLargeFilter(plan.largeFilterRuns, "wasm"),
  );
  // The micro-benchmarks take minutes; a smoke run leaves them out.
  const micro: MicroBenchmark[] | undefined = flags.quick ? undefined : await runMicroBenchmarks();

  const report: CompareReport = {
    date: new Date().toISOString(),
    quick: flags.quick,
    node: process.version,
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    plan,
    results,
    coldStart,
    largeFilter,
    largeFilterWasm,
    ...(micro ? { micro } : {}),
    targets: checkTargets(results, coldStart, largeFilter, micro),
  };
  await mkdir(new URL("results/", import.meta.url), { recursive: true });
  await writeFile(new URL(flags.quick ? "results/compare-quick.json" : "results/compare-latest.json", import.meta.url), JSON.stringify(report, null, 2) + "\n");
  console.log(await writePerformanceDoc(report));
}

try {
  await main();
} finally {
  await killAll();
}
