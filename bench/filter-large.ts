// The enforcement path on a large labelled tool result (issue 7: "a 16 MB labelled response
// filtered"), run in a process of its own so its memory figures are not polluted; npm run bench
// starts it with --expose-gc and reads the JSON it prints.
// Standalone: node --expose-gc bench/filter-large.ts [--guard stand-in|wasm] [--runs 5]
//
// What runs: the real EnforcementPipeline (src/enforce) in-process, with the real DIFC engine and
// the real file logger (one difc-filtered record per removed item). The guard ABI caps a guard's
// input at 8 MiB (src/guard/limits.ts, as the reference), so no WASM guard can be handed a 16 MiB
// result. Hence two guards:
//  - stand-in (16 MiB): an in-process guard that does the host's share of a guard call (encodes
//    the whole input with goJsonBytes, parses the output bytes with the host's parser); the
//    labels themselves are computed once beforehand;
//  - wasm (7.5 MiB, the most that fits the input cap): guards/bench-labels, a real WASM guard in
//    the real guard host (worker thread), which counts the items and labels them.
// Both answer the same labels: each item by path (/items/<i>), never repeating content, so the
// output stays far below the ABI's 16 MiB output cap; one item in four is secret and removed.
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { InMemoryAgentStore } from "../src/difc/index.ts";
import { EnforcementPipeline } from "../src/enforce/index.ts";
import { GuardSessions } from "../src/enforce/guard-sessions.ts";
import { loadWasmGuard, type Guard, type GuardStatus } from "../src/guard/index.ts";
import { goJsonBytes } from "../src/guard/go-json.ts";
import { parseResponseLabels } from "../src/guard/results.ts";
import { openFileLogger } from "../src/log/file-logger.ts";
import { builtGuardPath } from "../test/support/guards.ts";
import { guardOutputBytes, itemCount, payloadText } from "./lib/large-payload.ts";
import { median } from "./lib/stats.ts";

const { values: flags } = parseArgs({ options: { runs: { type: "string", default: "5" }, guard: { type: "string", default: "stand-in" } } });
const runs = Number(flags.runs);
if (flags.guard !== "stand-in" && flags.guard !== "wasm") throw new Error(`--guard must be stand-in or wasm, not ${flags.guard}`);
const wasm = flags.guard === "wasm";
const PAYLOAD_BYTES = wasm ? 7.5 * 1024 * 1024 : 16 * 1024 * 1024;
const ITEMS = itemCount(PAYLOAD_BYTES);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc, so every run starts from a collected heap");

function standInGuard(output: Uint8Array): Guard {
  let calls = 0;
  return {
    name: "labels-by-path",
    async labelAgent() {
      return { secrecy: [], integrity: [], difcMode: "filter" };
    },
    async labelResource(toolName) {
      calls++;
      return { description: `tool:${toolName}`, secrecy: [], integrity: [], operation: "read" };
    },
    async labelResponse(toolName, toolResult, toolArgs) {
      calls++;
      // The host's work around the wasm call: encode the input, parse the output. The host hands
      // the input's buffer to the guard's worker, which frees it after the call: released here.
      const input = goJsonBytes({ capabilities: {}, tool_args: toolArgs ?? null, tool_name: toolName, tool_result: toolResult ?? null });
      (input.buffer as ArrayBuffer).transfer(0);
      return parseResponseLabels(output);
    },
    status(): GuardStatus {
      return { name: "labels-by-path", state: "healthy", calls, errors: 0, failures: 0, consecutiveFailures: 0, recoveries: 0, instances: 1, closed: false };
    },
    async close() {},
  };
}

/** Resident and peak-resident memory of this process, in bytes. */
function memory(): { rss: number; peak: number } {
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

/** Starts a new peak: the kernel sets VmHWM back to the current RSS. */
function resetPeak(): void {
  writeFileSync("/proc/self/clear_refs", "5");
}

const text = payloadText(PAYLOAD_BYTES);
const rawResult = { content: [{ type: "text", text }] };
const payloadBytes = Buffer.byteLength(text);
const output = guardOutputBytes(ITEMS);
const guard = wasm ? await loadWasmGuard(builtGuardPath("bench-labels"), { name: "bench-labels", poolSize: 1 }) : standInGuard(output);
const store = new InMemoryAgentStore();
const logDir = await mkdtemp(join(tmpdir(), "flowgate-bench-filter-"));
const logger = openFileLogger({ dir: logDir, stderr: (line) => process.stderr.write(line) });
const pipeline = new EnforcementPipeline({
  guards: new Map([["bench", { serverId: "bench", guard, policy: null, wasm }]]),
  sessions: new GuardSessions({ store, defaultMode: "filter" }),
  store,
  logger,
});
const call = {
  serverId: "bench",
  agentId: "bench-agent",
  toolName: "list_items",
  args: { page: 1 },
  signal: new AbortController().signal,
  callBackend: async () => null,
};

async function once(): Promise<{
  ms: number;
  cpuMs: number;
  msWithLog: number;
  cpuMsWithLog: number;
  extraBytes: number;
  keptItems: number;
  resultBytes: number;
}> {
  gc!();
  resetPeak();
  const before = memory().rss;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = (await pipeline.run(call, async () => rawResult)) as { content: Array<{ text: string }> };
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  // The logger formats the difc_filtered records after the answer, at the end of the event-loop
  // turn (as the gateway's RPC records): counted here apart, and never left to the next run.
  await new Promise((resolve) => setImmediate(resolve));
  const msWithLog = performance.now() - start;
  const cpuWithLog = process.cpuUsage(cpuStart);
  const extraBytes = memory().peak - before;
  const visible = JSON.parse(result.content[0]?.text ?? "[]") as unknown[];
  return {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    msWithLog,
    cpuMsWithLog: (cpuWithLog.user + cpuWithLog.system) / 1000,
    extraBytes,
    keptItems: visible.length,
    resultBytes: Buffer.byteLength(result.content[0]?.text ?? ""),
  };
}

await once(); // warm-up: the first call compiles the code paths and sets up the agent's session
const samples = [];
for (let i = 0; i < runs; i++) samples.push(await once());
await logger.close();
await guard.close();

const medianMs = median(samples.map((s) => s.ms));
const maxExtra = Math.max(...samples.map((s) => s.extraBytes));
const first = samples[0];
process.stdout.write(
  JSON.stringify({
    guard: flags.guard,
    payloadBytes,
    items: ITEMS,
    filteredItems: first ? ITEMS - first.keptItems : 0,
    resultBytes: first?.resultBytes ?? 0,
    guardOutputBytes: output.length,
    runs,
    msPerRun: samples.map((s) => s.ms),
    medianMs,
    mbPerSecond: payloadBytes / 1e6 / (medianMs / 1000),
    // CPU time of all the process's threads (GC included): steadier than wall time on a shared machine.
    medianCpuMs: median(samples.map((s) => s.cpuMs)),
    // The same up to the end of the turn, the difc_filtered records' formatting included.
    medianMsWithLog: median(samples.map((s) => s.msWithLog)),
    medianCpuMsWithLog: median(samples.map((s) => s.cpuMsWithLog)),
    extraPeakBytesPerRun: samples.map((s) => s.extraBytes),
    maxExtraPeakBytes: maxExtra,
    extraOverPayload: maxExtra / payloadBytes,
  }) + "\n",
);
