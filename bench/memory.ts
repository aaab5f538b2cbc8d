// node --import ./bin/compile-cache.js bench/memory.ts [-- --seconds S --rounds R --sessions N
// --only <variant,...> --baseline <checkout>]: what holds the gateway's memory under the
// benchmark's throughput load, and what heap settings change. Each variant (node flags and
// environment of the gateway process, or another checkout) serves server-everything behind the
// pass-through WASM guard, as `npm run bench` measures it; N SDK client sessions make echo calls
// for S seconds; then the gateway's RSS, its anonymous memory and its resident anonymous memory
// by mapping size are read from /proc. Variants run interleaved, R rounds, so each sees the same
// machine; compare them as ratios. (`--trace-gc` in a variant's flags shows each isolate's heap.)
import { readFile } from "node:fs/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import { connectHttp, everythingServer, guardedEverythingToml, startFlowgate } from "./lib/targets.ts";
import { killAll } from "./lib/processes.ts";

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "8" },
    rounds: { type: "string", default: "3" },
    sessions: { type: "string", default: "16" },
    only: { type: "string" },
    /** Another checkout (e.g. a `git worktree` of main) to run as one more variant, for A/B of a code change. */
    baseline: { type: "string" },
  },
});
const SECONDS = Number(flags.seconds);
const ROUNDS = Number(flags.rounds);
const SESSIONS = Number(flags.sessions);

interface Variant {
  name: string;
  checkout?: string;
  nodeArgs: string[];
  env: Record<string, string>;
}

const ALL_VARIANTS: Variant[] = [
  { name: "default", nodeArgs: [], env: {} },
  { name: "MALLOC_ARENA_MAX=2", nodeArgs: [], env: { MALLOC_ARENA_MAX: "2" } },
  { name: "semi-space 4", nodeArgs: ["--max-semi-space-size=4"], env: {} },
  { name: "semi-space 2", nodeArgs: ["--max-semi-space-size=2"], env: {} },
  { name: "semi-space 4, arenas 2", nodeArgs: ["--max-semi-space-size=4"], env: { MALLOC_ARENA_MAX: "2" } },
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

async function measure(variant: Variant) {
  const { child, document } = await startFlowgate(
    guardedEverythingToml({ everything: everythingServer, node: process.execPath }),
    variant.checkout,
    variant.nodeArgs,
    {
      ...process.env,
      ...variant.env,
    },
  );
  try {
    const server = document.mcpServers["everything"]!;
    const clients = await Promise.all(Array.from({ length: SESSIONS }, () => connectHttp(server.url, server.headers)));
    await Promise.all(clients.map((client) => client.listTools()));
    const call = (client: (typeof clients)[number], i: number) => client.callTool({ name: "echo", arguments: { message: `call ${i} ${"x".repeat(1000)}` } });
    await Promise.all(clients.map((client) => call(client, 0)));
    const deadline = performance.now() + SECONDS * 1000;
    let calls = 0;
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < deadline) await call(client, calls++);
      }),
    );
    const after = { ...(await rollup(child.pid)), ...(await residentBySize(child.pid)), threads: await threads(child.pid) };
    await Promise.all(clients.map((client) => client.close()));
    return { variant: variant.name, "calls/s": Math.round(calls / SECONDS), ...after, load: os.loadavg()[0]!.toFixed(1) };
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
