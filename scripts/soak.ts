// npm run soak -- --calls N --concurrency C [--warm-up W] [--time-limit S]: a bounded
// reliability run on loopback. flowgate (bin/flowgate.js, a child process) serves
// server-everything over stdio behind the pass-through WASM guard, the configuration the
// benchmark measures; C official SDK client sessions (listTools first) make W warm-up calls and
// then N `echo` calls between them, each with a payload of its own, and every reply is checked
// against its call. Lost replies (an error, or no answer within the call timeout) and wrong ones
// (another call's payload, or none) are counted. The gateway's memory is read after connecting,
// at the start (after the warm-up), at the end, and after forced GCs: the gateway's node runs
// with --expose-gc and preloads scripts/soak-gc-signal.ts, which collects on SIGUSR2, so the
// gateway's own code has no hook for it. Prints the figures as JSON on stdout; exits 1 when a
// reply was lost or wrong or the time limit (default 30 min) stopped the run early.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { killAll, rssMiB, type BenchProcess } from "../bench/lib/processes.ts";
import { connectHttp, everythingServer, guardedEverythingToml, startFlowgate } from "../bench/lib/targets.ts";

const { values: flags } = parseArgs({
  options: {
    calls: { type: "string", default: "100000" },
    concurrency: { type: "string", default: "32" },
    "time-limit": { type: "string", default: "1800" },
    "warm-up": { type: "string", default: "2000" },
  },
});

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`--${name} must be a whole number above 0, not '${text}'`);
    process.exit(2);
  }
  return value;
}

const CALLS = positiveInteger("calls", flags.calls);
const CONCURRENCY = positiveInteger("concurrency", flags.concurrency);
const TIME_LIMIT_MS = positiveInteger("time-limit", flags["time-limit"]) * 1000;
/** Calls made (and checked) before the start figures: the gateway's JIT, caches and V8 heap sizing settle. */
const WARM_UP = positiveInteger("warm-up", flags["warm-up"]);
/** A reply later than this counts as lost (the gateway's own tool timeout is 60 s). */
const CALL_TIMEOUT_MS = 30_000;
const GC_TIMEOUT_MS = 30_000;
/** How many lost and wrong replies are described in the report (all are counted). */
const EXAMPLES = 5;

const GC_PRELOAD = fileURLToPath(new URL("./soak-gc-signal.ts", import.meta.url));
const startedAt = performance.now();
const elapsedS = () => Number(((performance.now() - startedAt) / 1000).toFixed(1));
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const round1 = (value: number) => Math.round(value * 10) / 10;

let gcCount = 0;

interface Memory {
  rssMiB: number;
  /** The gateway main thread's V8 heap (guard workers have heaps of their own, in the RSS only). */
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
}

const mib = (bytes: number) => round1(bytes / 2 ** 20);
const memory = (usage: NodeJS.MemoryUsage): Memory => ({
  rssMiB: mib(usage.rss),
  heapUsedMiB: mib(usage.heapUsed),
  heapTotalMiB: mib(usage.heapTotal),
  externalMiB: mib(usage.external),
});

/**
 * Signals the gateway's preloaded handler (scripts/soak-gc-signal.ts) and returns the memory it
 * reports after an ordinary full GC and after a last-resort one.
 */
async function forcedGc(gateway: BenchProcess): Promise<{ afterGc: Memory; afterLastResortGc: Memory }> {
  gcCount += 1;
  const done = gateway.waitFor(new RegExp(`^soak: forced gc ${gcCount} done (\\{.*\\})$`, "m"), GC_TIMEOUT_MS);
  process.kill(gateway.pid, "SIGUSR2");
  const usage = JSON.parse((await done)[1]!) as { regular: NodeJS.MemoryUsage; lastResort: NodeJS.MemoryUsage };
  return { afterGc: memory(usage.regular), afterLastResortGc: memory(usage.lastResort) };
}

function echoText(result: Awaited<ReturnType<Client["callTool"]>>): string | undefined {
  const [first] = (result.content ?? []) as Array<{ type?: string; text?: string }>;
  return first?.type === "text" ? first.text : undefined;
}

interface Tally {
  made: number;
  ok: number;
  lost: number;
  wrong: number;
  lostExamples: string[];
  wrongExamples: string[];
}

/**
 * Makes `count` echo calls spread over the sessions, each session one call at a time, until done
 * or past the deadline; every call echoes a payload of its own, so a reply is right only if it
 * carries exactly that payload.
 */
async function makeCalls(clients: Client[], count: number, deadline: number, phase: string): Promise<Tally> {
  const tally: Tally = { made: 0, ok: 0, lost: 0, wrong: 0, lostExamples: [], wrongExamples: [] };
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < count && performance.now() < deadline) {
        const call = next++;
        const message = `${phase} call ${call} ${randomUUID()}`;
        try {
          const text = echoText(await client.callTool({ name: "echo", arguments: { message } }, undefined, { timeout: CALL_TIMEOUT_MS }));
          if (text === `Echo: ${message}`) tally.ok++;
          else {
            tally.wrong++;
            if (tally.wrongExamples.length < EXAMPLES)
              tally.wrongExamples.push(`call ${call}: expected the echo of '${message}', got ${JSON.stringify(text)?.slice(0, 200)}`);
          }
        } catch (error) {
          tally.lost++;
          if (tally.lostExamples.length < EXAMPLES) tally.lostExamples.push(`call ${call}: ${errorText(error).slice(0, 200)}`);
        }
        tally.made++;
        if (tally.made % 10_000 === 0) console.error(`soak: ${phase} ${tally.made} calls at ${elapsedS()} s (lost ${tally.lost}, wrong ${tally.wrong})`);
      }
    }),
  );
  return tally;
}

function summary({ lostExamples, wrongExamples, ...counts }: Tally, planned: number) {
  return { planned, ...counts, ...(lostExamples.length > 0 ? { lostExamples } : {}), ...(wrongExamples.length > 0 ? { wrongExamples } : {}) };
}

async function main(): Promise<number> {
  const { child: gateway, document } = await startFlowgate(guardedEverythingToml({ everything: everythingServer, node: process.execPath }), undefined, [
    "--expose-gc",
    "--import",
    GC_PRELOAD,
  ]);
  const hardStop = setTimeout(() => {
    console.error(`soak: still running ${TIME_LIMIT_MS / 1000 + 120} s after start: killing everything`);
    void killAll().then(() => process.exit(3));
  }, TIME_LIMIT_MS + 120_000);
  hardStop.unref();
  try {
    const server = document.mcpServers["everything"];
    if (!server) throw new Error("flowgate did not list server 'everything'");
    const url = new URL(server.url);
    if (url.hostname !== "127.0.0.1") throw new Error(`the gateway does not listen on loopback: ${server.url}`);

    const clients = await Promise.all(Array.from({ length: CONCURRENCY }, () => connectHttp(server.url, server.headers)));
    // Every session lists tools first, as real clients do before calling.
    for (const tools of await Promise.all(clients.map((client) => client.listTools()))) {
      if (!tools.tools.some((tool) => tool.name === "echo")) throw new Error("the backend lists no echo tool");
    }
    const deadline = performance.now() + TIME_LIMIT_MS;
    const connected = await forcedGc(gateway);
    const warmUp = await makeCalls(clients, WARM_UP, deadline, "warm-up");
    const start = await forcedGc(gateway);
    const loadStart = os.loadavg();
    console.error(
      `soak: ${CONCURRENCY} sessions warmed up with ${WARM_UP} calls at ${elapsedS()} s, gateway RSS ${start.afterLastResortGc.rssMiB} MiB; ${CALLS} calls to make`,
    );

    let rssPeak = start.afterGc.rssMiB;
    const sampler = setInterval(() => {
      void rssMiB(gateway.pid).then(
        (rss) => (rssPeak = Math.max(rssPeak, rss)),
        () => undefined,
      );
    }, 1000);
    const runStart = performance.now();
    const run = await makeCalls(clients, CALLS, deadline, "soak");
    const runSeconds = (performance.now() - runStart) / 1000;
    clearInterval(sampler);
    const rssEnd = await rssMiB(gateway.pid);
    const end = await forcedGc(gateway);
    await Promise.all(clients.map((client) => client.close()));

    const report = {
      date: new Date().toISOString(),
      node: process.version,
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      loadAverage: { atStart: loadStart.map(round1), atEnd: os.loadavg().map(round1) },
      configuration: "flowgate routed, server-everything over stdio behind the pass-through WASM guard; SDK clients over streamable HTTP on 127.0.0.1",
      concurrency: CONCURRENCY,
      warmUp: summary(warmUp, WARM_UP),
      run: { ...summary(run, CALLS), seconds: round1(runSeconds), callsPerSecond: Math.round(run.made / runSeconds) },
      gatewayMemory: {
        connected,
        start,
        peakRssMiB: round1(rssPeak),
        endRssMiB: round1(rssEnd),
        end,
        rssAfterLastResortGcOverStartPercent: round1(((end.afterLastResortGc.rssMiB - start.afterLastResortGc.rssMiB) / start.afterLastResortGc.rssMiB) * 100),
        rssAfterGcOverStartPercent: round1(((end.afterGc.rssMiB - start.afterGc.rssMiB) / start.afterGc.rssMiB) * 100),
      },
    };
    console.log(JSON.stringify(report, null, 2));
    const failed = [warmUp, run].some((tally) => tally.lost + tally.wrong > 0) || warmUp.made < WARM_UP || run.made < CALLS;
    if (run.made < CALLS) console.error(`soak: the time limit of ${TIME_LIMIT_MS / 1000} s stopped the run after ${run.made} of ${CALLS} calls`);
    return failed ? 1 : 0;
  } finally {
    clearTimeout(hardStop);
    await gateway.kill();
  }
}

process.on("SIGINT", () => void killAll().then(() => process.exit(130)));
main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(`soak failed: ${errorText(error)}`);
    await killAll();
    process.exit(1);
  },
);
