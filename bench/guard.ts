// Benchmark of the guard host (npm run bench:guard). Measures, in one run:
//  - label_resource latency (p50/p99) with 1 KB and 256 KB inputs through the host (worker
//    isolation and deadlines on) against the floor: the same call on an in-process instance,
//    including the JSON encode, copies and parse;
//  - cold load of a generated 3 MB guard (defined at loading()) and a load that hits the module cache;
//  - how long after its deadline a looping guard is stopped;
//  - recovery: time until the next call succeeds after a trap and after a timeout;
//  - RSS per instance.
import { readFileSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildGuards } from "../scripts/build-guards.ts";
import { builtGuardPath } from "../test/support/guards.ts";
import { loadWasmGuard } from "../src/guard/index.ts";
import { goJsonBytes } from "../src/guard/go-json.ts";
import { parseResourceLabels, parseResponseLabels } from "../src/guard/results.ts";
import { generatedGuard } from "./lib/large-guard.ts";
import { percentile } from "./lib/stats.ts";

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3000);
const SPARE_SETTLE_MS = 1500;
/**
 * Lets the spare worker boot, then collects the heap: generating each 3 MB guard leaves a lot of
 * garbage, whose collection would otherwise land inside the load being timed.
 */
const settleSpare = async () => {
  await new Promise((resolve) => setTimeout(resolve, SPARE_SETTLE_MS));
  (globalThis as { gc?: () => void }).gc?.();
};

function summary(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

type FloorFunction = "label_resource" | "label_response";

/**
 * The floor: an in-process instance on the main thread, no worker, no deadline, with the same
 * imports; call_backend (if `backend` is given) answers synchronously from memory, encoding the
 * answer as the host does. A call includes the JSON encode of the input, the copies and the parse.
 */
async function floorCaller(bytes: Uint8Array<ArrayBuffer>, backend: (toolName: string, args: unknown) => unknown = () => undefined) {
  const module = await WebAssembly.compile(bytes);
  const noop = () => 0;
  const wasi = Object.fromEntries(["fd_write", "fd_read", "random_get", "proc_exit"].map((n) => [n, noop]));
  const decoder = new TextDecoder();
  // call_backend needs the memory, which exists only once the instance does.
  const bound: { memory?: WebAssembly.Memory } = {};
  const guardBytes = (ptr: number, len: number) => new Uint8Array((bound.memory as WebAssembly.Memory).buffer, ptr, len);
  const callBackend = (namePtr: number, nameLen: number, argsPtr: number, argsLen: number, resultPtr: number, resultSize: number) => {
    const answer = backend(decoder.decode(guardBytes(namePtr, nameLen)), JSON.parse(decoder.decode(guardBytes(argsPtr, argsLen))));
    if (answer === undefined) return -1;
    const json = goJsonBytes(answer);
    if (json.length > resultSize) return -2;
    guardBytes(resultPtr, json.length).set(json);
    return json.length;
  };
  const instance = await WebAssembly.instantiate(module, { env: { call_backend: callBackend, host_log: () => {} }, wasi_snapshot_preview1: wasi });
  const e = instance.exports as Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
  bound.memory = e.memory;
  const outputSize = 4 * 1024 * 1024;
  return (func: FloorFunction, toolName: string, args: unknown, result?: unknown) => {
    const input =
      func === "label_resource"
        ? goJsonBytes({ capabilities: {}, tool_args: args, tool_name: toolName })
        : goJsonBytes({ capabilities: {}, tool_args: args, tool_name: toolName, tool_result: result });
    const inPtr = e.alloc!(input.length);
    const outPtr = e.alloc!(outputSize);
    new Uint8Array(e.memory.buffer, inPtr, input.length).set(input);
    const n = e[func]!(inPtr, input.length, outPtr, outputSize);
    if (n < 0) throw new Error(`the floor's ${func} returned ${n}`);
    const output = new Uint8Array(e.memory.buffer).slice(outPtr, outPtr + n);
    e.dealloc!(outPtr, outputSize);
    e.dealloc!(inPtr, input.length);
    return func === "label_resource" ? parseResourceLabels(output) : parseResponseLabels(output);
  };
}

async function latency() {
  const bytes = new Uint8Array(await readFile(builtGuardPath("edge-cases", "scripted")));
  const floor = await floorCaller(bytes);
  const guard = await loadWasmGuard(bytes, { name: "bench", poolSize: 1 });
  const rows = [];
  for (const [label, size] of [
    ["1 KB", 1024],
    ["256 KB", 256 * 1024],
  ] as const) {
    const args = { data: "x".repeat(size - 60) };
    const host: number[] = [];
    const direct: number[] = [];
    const n = size > 4096 ? Math.ceil(ITERATIONS / 5) : ITERATIONS;
    for (let i = 0; i < n; i++) {
      let t = performance.now();
      floor("label_resource", "read", args);
      direct.push(performance.now() - t);
      t = performance.now();
      await guard.labelResource("read", args, { deadline: Date.now() + 5000 });
      host.push(performance.now() - t);
    }
    const h = summary(host.slice(n / 10));
    const f = summary(direct.slice(n / 10));
    rows.push({
      input: label,
      calls: n,
      "host p50": us(h.p50),
      "host p99": us(h.p99),
      "floor p50": us(f.p50),
      "floor p99": us(f.p99),
      "p50 overhead": us(h.p50 - f.p50),
    });
  }
  await guard.close();
  return rows;
}

/**
 * A `list_issues` answer of 30 issues, 18.5 KB, as a GitHub MCP server returns it: the
 * issue list is the JSON text of the result's one text item.
 */
function issuesAnswer(): { args: Record<string, unknown>; result: unknown; repository: unknown } {
  const issues = Array.from({ length: 30 }, (_, i) => ({
    number: 1000 + i,
    title: `Crash when the configuration file has a trailing comma (case ${i})`,
    state: i % 3 === 0 ? "closed" : "open",
    user: { login: `contributor-${i % 7}`, id: 50_000 + i, type: "User" },
    author_association: ["OWNER", "MEMBER", "CONTRIBUTOR", "NONE"][i % 4],
    labels: [
      { name: "bug", color: "d73a4a" },
      { name: i % 2 ? "needs-triage" : "confirmed", color: "ededed" },
    ],
    comments: i % 5,
    created_at: "2026-11-02T10:15:00Z",
    updated_at: "2026-12-01T08:00:00Z",
    html_url: `https://github.com/octo-org/widgets/issues/${1000 + i}`,
    body: `Steps to reproduce:\n1. write a config with a trailing comma\n2. run widgets --check\n\nExpected: a clear error. Actual: a stack trace. ${"Details follow. ".repeat(3)}`,
  }));
  const text = JSON.stringify(issues);
  const repository = { content: [{ type: "text", text: JSON.stringify({ full_name: "octo-org/widgets", private: true, visibility: "private" }) }] };
  return { args: { owner: "octo-org", repo: "widgets", state: "all", perPage: 30 }, result: { content: [{ type: "text", text }] }, repository };
}

/** Each thread's run time so far in ns, by thread id, from the kernel's scheduler statistics (Linux; empty elsewhere). */
function threadRunTimes(): Map<string, number> {
  try {
    return new Map(readdirSync("/proc/self/task").map((tid) => [tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0])]));
  } catch {
    return new Map();
  }
}

/**
 * CPU time per call of the main thread and of all other threads (the guard worker, V8's helpers),
 * over calls made back to back: steadier than latency on a shared machine, since waiting for a
 * core does not count.
 */
async function cpuPerCall(calls: number, call: () => unknown): Promise<string> {
  const before = threadRunTimes();
  for (let i = 0; i < calls; i++) await call();
  const after = threadRunTimes();
  if (after.size === 0) return "n/a";
  let main = 0;
  let others = 0;
  for (const [tid, ns] of after) {
    const spent = ns - (before.get(tid) ?? 0);
    if (tid === String(process.pid)) main += spent;
    else others += spent;
  }
  return `${(main / calls / 1000).toFixed(0)} + ${(others / calls / 1000).toFixed(0)} µs`;
}

/**
 * A guard of ours that does real work and calls back (guards/issues-labels): both functions ask
 * the backend for the repository's facts; label_response labels each of the 30 issues. Host and
 * floor calls alternate, so both see the same machine; then each makes calls on its own, to
 * read the CPU time per call.
 */
/** label_response of the calling-back guard against its floor: what issue 17's target is checked on. */
export interface CallingBackFigures {
  hostP50Us: number;
  floorP50Us: number;
  hostP99Us: number;
  floorP99Us: number;
}

async function callingBack() {
  const bytes = new Uint8Array(await readFile(builtGuardPath("issues-labels")));
  const { args, result, repository } = issuesAnswer();
  const answerFor = (toolName: string) => (toolName === "get_repository" ? repository : undefined);
  const floor = await floorCaller(bytes, answerFor);
  const guard = await loadWasmGuard(bytes, { name: "issues-labels", poolSize: 1 });
  // The spare taken by this load is replaced a second later: its boot must not land in the CPU times.
  await settleSpare();
  const backend = async (toolName: string) => answerFor(toolName) ?? Promise.reject(new Error(`no tool ${toolName}`));
  const same =
    JSON.stringify(await guard.labelResponse("list_issues", result, args, { backend })) ===
    JSON.stringify(floor("label_response", "list_issues", args, result));
  if (!same) throw new Error("the host and the floor answered label_response differently");
  const inputKiB = (goJsonBytes({ capabilities: {}, tool_args: args, tool_name: "list_issues", tool_result: result }).length / 1024).toFixed(1);
  const rows = [];
  let labelResponse: CallingBackFigures | undefined;
  for (const func of ["label_resource", "label_response"] as const) {
    const host: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      let t = performance.now();
      floor(func, "list_issues", args, result);
      direct.push(performance.now() - t);
      t = performance.now();
      if (func === "label_resource") await guard.labelResource("list_issues", args, { backend, deadline: Date.now() + 5000 });
      else await guard.labelResponse("list_issues", result, args, { backend, deadline: Date.now() + 5000 });
      host.push(performance.now() - t);
    }
    const h = summary(host.slice(ITERATIONS / 10));
    const f = summary(direct.slice(ITERATIONS / 10));
    const cpuCalls = Math.ceil(ITERATIONS / 3);
    const hostCpu = await cpuPerCall(cpuCalls, () =>
      func === "label_resource"
        ? guard.labelResource("list_issues", args, { backend, deadline: Date.now() + 5000 })
        : guard.labelResponse("list_issues", result, args, { backend, deadline: Date.now() + 5000 }),
    );
    const floorCpu = await cpuPerCall(cpuCalls, () => floor(func, "list_issues", args, result));
    if (func === "label_response") labelResponse = { hostP50Us: h.p50 * 1000, floorP50Us: f.p50 * 1000, hostP99Us: h.p99 * 1000, floorP99Us: f.p99 * 1000 };
    rows.push({
      function: func,
      input: func === "label_resource" ? "tool args" : `${inputKiB} KiB, 30 issues`,
      calls: ITERATIONS,
      "host p50": us(h.p50),
      "floor p50": us(f.p50),
      "p50 ratio": (h.p50 / f.p50).toFixed(2),
      "host p99": us(h.p99),
      "floor p99": us(f.p99),
      "p99 ratio": (h.p99 / f.p99).toFixed(2),
      "host CPU/call, main + others": hostCpu,
      "floor CPU/call, main + others": floorCpu,
    });
  }
  await guard.close();
  return { rows, labelResponse: labelResponse! };
}

/**
 * Cold load: from a guard binary (a file on disk, in the page cache, as the gateway loads it;
 * or bytes already in memory) to a guard whose first instance is ready to answer, with an empty
 * module cache. "spare ready" is the usual case (a booted spare worker exists once the process
 * has loaded any guard); "no spare" starts right after another load, so the worker is still
 * booting and its boot overlaps the compile, as for the first guard of a process.
 */
async function loading() {
  const dir = await mkdtemp(join(tmpdir(), "flowgate-bench-"));
  const rows = [];
  try {
    for (let run = 0; run < 3; run++) {
      // Fresh bytes for each measurement: V8 reuses the compile of bytes it has seen before.
      const salt = run * 1_000_003;
      const fromFile = await generatedGuard(3 * 1024 * 1024, salt);
      const fromMemory = await generatedGuard(3 * 1024 * 1024, salt + 7);
      const noSpare = await generatedGuard(3 * 1024 * 1024, salt + 13);
      const other = await generatedGuard(3 * 1024 * 1024, salt + 19);
      const file = join(dir, `big-${run}.wasm`);
      const noSpareFile = join(dir, `big-${run}-b.wasm`);
      await writeFile(file, fromFile);
      await writeFile(noSpareFile, noSpare);
      const t = performance.now();
      await WebAssembly.compile(other);
      const compileMs = performance.now() - t;
      const cache = new Map<string, WebAssembly.Module>();
      const timed = async (source: string | Uint8Array<ArrayBuffer>, moduleCache: Map<string, WebAssembly.Module>) => {
        const start = performance.now();
        const guard = await loadWasmGuard(source, { name: "big", poolSize: 1, moduleCache });
        const elapsed = performance.now() - start;
        // The generated guard answers label_response with no output: proof the instance runs.
        if ((await guard.labelResponse("t", null, null)) !== null) throw new Error("the generated guard answered unexpectedly");
        await guard.close();
        return elapsed;
      };
      await settleSpare();
      const fileMs = await timed(file, cache);
      await settleSpare();
      const memoryMs = await timed(fromMemory, new Map());
      await settleSpare();
      const cachedMs = await timed(file, cache);
      const noSpareMs = await timed(noSpareFile, new Map());
      rows.push({
        run,
        "module size": `${(fromFile.length / 1024 / 1024).toFixed(2)} MB`,
        "WebAssembly.compile alone": ms(compileMs),
        "cold load from file": ms(fileMs),
        "cold load from memory": ms(memoryMs),
        "cold load from file, no spare": ms(noSpareMs),
        "cached load": ms(cachedMs),
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

async function failures() {
  const guard = await loadWasmGuard(builtGuardPath("edge-cases", "scripted"), { name: "bench", poolSize: 1 });
  await guard.labelAgent({});
  const rows = [];
  for (let run = 0; run < 5; run++) {
    // Let the spare worker finish booting, as it has between two rare timeouts.
    await settleSpare();
    const deadline = Date.now() + 100;
    await guard.labelResource("cmd-L", null, { deadline }).catch(() => {});
    const stoppedAfterDeadline = Date.now() - deadline;
    const t0 = performance.now();
    await guard.labelResource("ok", null);
    const afterTimeout = performance.now() - t0;
    await guard.labelResource("cmd-T", null).catch(() => {});
    const t1 = performance.now();
    await guard.labelResource("ok", null);
    const afterTrap = performance.now() - t1;
    const t2 = performance.now();
    await guard.labelResource("ok", null);
    const normal = performance.now() - t2;
    rows.push({
      run,
      "loop stopped after deadline": ms(stoppedAfterDeadline),
      "next call after timeout": ms(afterTimeout),
      "next call after trap (re-instantiate + replay)": ms(afterTrap),
      "normal call": ms(normal),
    });
  }
  await guard.close();
  return rows;
}

/** What a replacement costs when no booted spare is ready: booting a worker thread. */
async function workerBoot() {
  const { Worker } = await import("node:worker_threads");
  const url = new URL("../src/guard/worker/guard-worker.ts", import.meta.url);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const worker = new Worker(url);
    await new Promise((resolve) => worker.once("message", resolve));
    samples.push(performance.now() - t);
    await worker.terminate();
  }
  const s = summary(samples);
  return [{ "worker boot p50": ms(s.p50), "worker boot max": ms(Math.max(...samples)) }];
}

async function rssPerInstance() {
  const instances = 8;
  const guard = await loadWasmGuard(builtGuardPath("echo-labels"), { name: "rss", poolSize: instances });
  const before = process.memoryUsage().rss;
  await Promise.all(Array.from({ length: instances * 2 }, () => guard.labelResponse("t", null, null)));
  const after = process.memoryUsage().rss;
  await guard.close();
  return [
    { instances: guard.status().instances || instances, "RSS per extra instance": `${((after - before) / (instances - 1) / 1024 / 1024).toFixed(1)} MiB` },
  ];
}

await buildGuards();
console.log(`node ${process.version}, ${ITERATIONS} iterations`);
console.log("\nlabel_resource latency");
console.table(await latency());
console.log("\na guard that does real work and calls back (issues-labels, one call_backend per call)");
const callingBackRun = await callingBack();
console.table(callingBackRun.rows);
// npm run bench checks its target on these figures; the tables above are for people.
const { values: options } = parseArgs({ options: { figures: { type: "string" } } });
if (options.figures) await writeFile(options.figures, JSON.stringify(callingBackRun.labelResponse));
console.log(`\nloading a 3 MB guard (spare ready: ${SPARE_SETTLE_MS} ms after the previous load; no spare: right after one)`);
console.table(await loading());
console.log("\nbooting a guard worker (the cost a spare hides)");
console.table(await workerBoot());
console.log(`\ntimeouts and recovery (runs ${SPARE_SETTLE_MS} ms apart, so a booted spare is ready)`);
console.table(await failures());
console.log("\nmemory");
console.table(await rssPerInstance());
