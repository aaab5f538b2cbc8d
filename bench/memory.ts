// node --import ./bin/compile-cache.js bench/memory.ts [-- --seconds S --periods P --rounds R
// --sessions N --only <variant,...> --baseline <checkout> --gc --like-compare]: what holds the
// gateway's memory under the benchmark's throughput load, and what heap settings change. Each
// variant (node flags and environment of the gateway process, or another checkout) serves
// server-everything behind the pass-through WASM guard, as `npm run bench` measures it; N SDK
// client sessions make echo calls for S seconds, P times with new sessions; then the gateway's
// RSS, its anonymous memory and its resident anonymous memory by mapping size are read from
// /proc. `--like-compare` runs compare.ts's sequential 1 KB and 256 KB rounds first, whose garbage
// the report's RSS figure sees too (use it with --seconds 5 --periods 2, compare's load, and
// --idle 15: the RSS is read that many seconds after the load, as compare.ts reads it). Variants
// run interleaved, R rounds, so each sees the same machine; compare them as ratios. The p50 is of
// the calls under the load, the CPU per call is the gateway's CPU time (all its threads) over
// them. `--gc` runs every variant with `--trace-gc` and counts the main isolate's scavenges and
// mark-compacts during the load (`--trace-gc` in a variant's flags shows each isolate's heap).
import { readFile } from "node:fs/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import { connectHttp, everythingServer, guardedEverythingToml, startFlowgate } from "./lib/targets.ts";
import { echoWorkload } from "./lib/workloads.ts";
import { killAll } from "./lib/processes.ts";
import { percentile } from "./lib/stats.ts";

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "8" },
    rounds: { type: "string", default: "3" },
    sessions: { type: "string", default: "16" },
    only: { type: "string" },
    /** Another checkout (e.g. a `git worktree` of main) to run as one more variant, for A/B of a code change. */
    baseline: { type: "string" },
    gc: { type: "boolean", default: false },
    periods: { type: "string", default: "1" },
    "like-compare": { type: "boolean", default: false },
    idle: { type: "string", default: "0" },
  },
});
const SECONDS = Number(flags.seconds);
const ROUNDS = Number(flags.rounds);
const SESSIONS = Number(flags.sessions);
const PERIODS = Number(flags.periods);
const IDLE_SECONDS = Number(flags.idle);

interface Variant {
  name: string;
  checkout?: string;
  nodeArgs: string[];
  env: Record<string, string>;
}

const ALL_VARIANTS: Variant[] = [
  { name: "default", nodeArgs: [], env: {} },
  { name: "node flags off", nodeArgs: [], env: { FLOWGATE_NODE_FLAGS: "off" } },
  { name: "MALLOC_ARENA_MAX=2", nodeArgs: [], env: { MALLOC_ARENA_MAX: "2" } },
  { name: "semi-space 4", nodeArgs: ["--max-semi-space-size=4"], env: {} },
  { name: "semi-space 2", nodeArgs: ["--max-semi-space-size=2"], env: {} },
  { name: "semi-space 8", nodeArgs: ["--max-semi-space-size=8"], env: {} },
  { name: "semi-space 16", nodeArgs: ["--max-semi-space-size=16"], env: {} },
  { name: "semi-space 4 growing 50%", nodeArgs: ["--max-semi-space-size=4", "--heap-growing-percent=50"], env: {} },
  { name: "semi-space 4 initial old 32", nodeArgs: ["--max-semi-space-size=4", "--initial-old-space-size=32"], env: {} },
  { name: "semi-space 4, arenas 2", nodeArgs: ["--max-semi-space-size=4"], env: { MALLOC_ARENA_MAX: "2" } },
  { name: "semi-space 4 initial old 32 arenas 2", nodeArgs: ["--max-semi-space-size=4", "--initial-old-space-size=32"], env: { MALLOC_ARENA_MAX: "2" } },
  { name: "sdk-tools-call", nodeArgs: [], env: { FLOWGATE_TOOLS_CALL_FAST_PATH: "off" } },
  ...(flags.baseline ? [{ name: "baseline", checkout: flags.baseline, nodeArgs: [], env: {} }] : []),
];
const VARIANTS = ALL_VARIANTS.filter((variant) => !flags.only || flags.only.split(",").includes(variant.name));

const mib = (kb: number) => Number((kb / 1024).toFixed(1));

/** Fields of /proc/<pid>/smaps_rollup, in MiB. */
async function rollup(pid: number): Promise<Record<string, number>> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, "utf8");
  const field = (name: string) => mib(Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? Number.NaN));
  return { rss: field("Rss"), anonymous: field("Anonymous"), file: Number((field("Rss") - field("Anonymous")).toFixed(1)) };
}

/** Resident anonymous memory by mapping size: V8 heap pages, wasm memories, malloc arenas (64 MiB reservations). */
async function residentBySize(pid: number): Promise<Record<string, number>> {
  const text = await readFile(`/proc/${pid}/smaps`, "utf8");
  const buckets: Record<string, number> = {};
  for (const block of text.split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
    const [range, , , , , path] = block.split("\n", 1)[0]!.split(/\s+/);
    if (path) continue;
    const [start, end] = range!.split("-").map((hex) => Number.parseInt(hex, 16));
    const sizeMiB = (end! - start!) / 2 ** 20;
    const rssKb = Number(/^Rss:\s+(\d+) kB/m.exec(block)?.[1] ?? 0);
    const bucket = sizeMiB >= 1024 ? "≥1 GiB (wasm/V8 reservations)" : sizeMiB >= 60 ? "60 MiB–1 GiB (malloc arenas)" : sizeMiB >= 1 ? "1–60 MiB" : "<1 MiB";
    buckets[bucket] = (buckets[bucket] ?? 0) + rssKb;
  }
  return Object.fromEntries(Object.entries(buckets).map(([k, v]) => [k, mib(v)]));
}

async function threads(pid: number): Promise<number> {
  return Number(/^Threads:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1]);
}

/**
 * Scavenges and mark-compacts in `--trace-gc` output, of the isolate with the most scavenges (the
 * main thread's: the guard workers' young generations are capped and see little garbage).
 */
function collections(traceGc: string): { scavenges: number; markCompacts: number } {
  const perIsolate = new Map<string, { scavenges: number; markCompacts: number }>();
  for (const [, isolate, kind] of traceGc.matchAll(/^\[\d+:(0x[0-9a-f]+)\][^:]*ms: (Scavenge|Mark-Compact)/gm)) {
    const counts = perIsolate.get(isolate!) ?? { scavenges: 0, markCompacts: 0 };
    if (kind === "Scavenge") counts.scavenges++;
    else counts.markCompacts++;
    perIsolate.set(isolate!, counts);
  }
  return [...perIsolate.values()].reduce((most, counts) => (counts.scavenges > most.scavenges ? counts : most), { scavenges: 0, markCompacts: 0 });
}

/** /proc's unit of CPU time (USER_HZ), 100 per second on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The process's CPU time (all threads: main, guard workers, libuv pool) in ms. */
async function cpuMs(pid: number): Promise<number> {
  // utime and stime are the 14th and 15th fields, the 12th and 13th after the command's ")".
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function measure(variant: Variant) {
  const { child, document } = await startFlowgate(
    guardedEverythingToml({ everything: everythingServer, node: process.execPath }),
    variant.checkout,
    [...(flags.gc ? ["--trace-gc"] : []), ...variant.nodeArgs],
    {
      ...process.env,
      ...variant.env,
    },
  );
  try {
    const server = document.mcpServers["everything"]!;
    if (flags["like-compare"]) {
      // compare.ts's sequential rounds on one session before its load: they leave the 256 KB
      // answers' garbage in the old generation, as in the run whose RSS the report shows.
      const client = await connectHttp(server.url, server.headers);
      await client.listTools();
      for (let i = 0; i < 200; i++) await echoWorkload.small(client);
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 420; i++) await echoWorkload.small(client);
        for (let i = 0; i < 20; i++) await echoWorkload.large!(client);
      }
      await client.close();
    }
    const outputBefore = child.output().length;
    const latenciesMs: number[] = [];
    let cpu = 0;
    for (let period = 0; period < PERIODS; period++) {
      const clients = await Promise.all(Array.from({ length: SESSIONS }, () => connectHttp(server.url, server.headers)));
      await Promise.all(clients.map((client) => client.listTools()));
      await Promise.all(clients.map((client) => echoWorkload.small(client)));
      const cpuBefore = await cpuMs(child.pid);
      const deadline = performance.now() + SECONDS * 1000;
      await Promise.all(
        clients.map(async (client) => {
          while (performance.now() < deadline) {
            const start = performance.now();
            await echoWorkload.small(client);
            latenciesMs.push(performance.now() - start);
          }
        }),
      );
      cpu += (await cpuMs(child.pid)) - cpuBefore;
      await Promise.all(clients.map((client) => client.close()));
    }
    const calls = latenciesMs.length;
    const p50Us = Math.round(
      percentile(
        latenciesMs.sort((a, b) => a - b),
        0.5,
      ) * 1000,
    );
    const gc = flags.gc ? collections(child.output().slice(outputBefore)) : {};
    // compare.ts reads a gateway's RSS after the other configurations' loads, 15 s or more later.
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    const after = { ...(await rollup(child.pid)), ...(await residentBySize(child.pid)), threads: await threads(child.pid) };
    return {
      variant: variant.name,
      "calls/s": Math.round(calls / (SECONDS * PERIODS)),
      "p50 µs": p50Us,
      "cpu µs/call": Math.round((cpu * 1000) / calls),
      ...gc,
      ...after,
      load: os.loadavg()[0]!.toFixed(1),
    };
  } finally {
    await child.kill();
  }
}

const rows = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of VARIANTS) rows.push({ round, ...(await measure(variant)) });
  }
} finally {
  await killAll();
}
console.log(`node ${process.version}, ${SESSIONS} sessions, ${SECONDS} s of echo calls (1 KB) per variant, flowgate + pass-through guard; MiB`);
console.table(rows);
