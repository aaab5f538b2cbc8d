// npm run bench: flowgate against the direct floor and peer gateways, measured in one run,
// interleaved in rounds (A B C … A B C …) so that drift on a noisy machine hits every
// configuration alike. Writes bench/results/compare-latest.json and regenerates docs/performance.md.
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { killAll, rssMiB } from "./lib/processes.ts";
import { summarize, timeNs } from "./lib/stats.ts";
import { direct, flowgateGuarded, flowgateNoGuard, mcpProxy, supergateway, type RunningTarget, type Target } from "./lib/targets.ts";
import { writePerformanceDoc, type ResultRow } from "./lib/report.ts";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
  },
});

const plan = flags.quick
  ? { rounds: 2, warmup: 20, smallPerRound: 100, largePerRound: 5, throughputRounds: 1, throughputMs: 2000, sessions: 16 }
  : { rounds: 5, warmup: 200, smallPerRound: 420, largePerRound: 20, throughputRounds: 2, throughputMs: 5000, sessions: 16 };

const SMALL = "x".repeat(1024);
const LARGE = "y".repeat(256 * 1024);

const allTargets: Target[] = [direct, flowgateNoGuard, flowgateGuarded, supergateway, mcpProxy];
const targets = flags.only ? allTargets.filter((t) => flags.only!.split(",").includes(t.name)) : allTargets;

function echo(client: Client, message: string): Promise<unknown> {
  return client.callTool({ name: "echo", arguments: { message } });
}

async function sequential(client: Client, message: string, count: number, into: number[]): Promise<void> {
  for (let i = 0; i < count; i++) into.push(await timeNs(() => echo(client, message)));
}

async function throughput(target: RunningTarget, sessions: number, ms: number): Promise<{ calls: number; errors: number }> {
  const clients = await Promise.all(Array.from({ length: sessions }, () => target.connect()));
  // One call per session first: gateways that start a session's backend lazily (flowgate) or at
  // connect (supergateway) are then measured alike, in steady state.
  await Promise.all(clients.map((client) => echo(client, SMALL)));
  const deadline = performance.now() + ms;
  let calls = 0;
  let errors = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        try {
          await echo(client, SMALL);
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

async function main(): Promise<void> {
  const running = new Map<Target, { target: RunningTarget; client: Client }>();
  const failures = new Map<string, string>();
  for (const target of targets) {
    try {
      const started = await target.start();
      const client = await started.connect();
      await sequential(client, SMALL, plan.warmup, []);
      running.set(target, { target: started, client });
    } catch (error) {
      failures.set(target.name, error instanceof Error ? error.message : String(error));
      console.error(`skipping ${target.name}: ${failures.get(target.name)}`);
    }
  }
  const samples = new Map<Target, { small: number[]; large: number[]; largeError?: string; calls: number; errors: number }>();
  for (const target of running.keys()) samples.set(target, { small: [], large: [], calls: 0, errors: 0 });

  for (let round = 0; round < plan.rounds; round++) {
    for (const [target, { client }] of running) {
      const s = samples.get(target)!;
      await sequential(client, SMALL, plan.smallPerRound, s.small);
      if (s.largeError) continue;
      try {
        await sequential(client, LARGE, plan.largePerRound, s.large);
      } catch (error) {
        // A peer that cannot carry 256 KB (e.g. a 100 KB body limit) is reported, not fatal.
        const status = (error as { code?: unknown }).code;
        s.largeError = typeof status === "number" ? `HTTP ${status}` : error instanceof Error ? error.message.split("\n")[0] : String(error);
      }
    }
    console.error(`latency round ${round + 1}/${plan.rounds} done`);
  }
  for (let round = 0; round < plan.throughputRounds; round++) {
    for (const [target, { target: started }] of running) {
      const s = samples.get(target)!;
      const result = await throughput(started, plan.sessions, plan.throughputMs);
      s.calls += result.calls;
      s.errors += result.errors;
    }
    console.error(`throughput round ${round + 1}/${plan.throughputRounds} done`);
  }

  const results: ResultRow[] = [];
  for (const target of targets) {
    const entry = running.get(target);
    const s = samples.get(target);
    if (!entry || !s) {
      results.push({ name: target.name, description: target.description, error: failures.get(target.name), echo1k: summarize([]), echo256k: summarize([]), throughput: { callsPerSecond: 0, calls: 0, errors: 0, sessions: plan.sessions, seconds: 0 } });
      continue;
    }
    const seconds = (plan.throughputRounds * plan.throughputMs) / 1000;
    results.push({
      name: target.name,
      description: target.description,
      echo1k: summarize(s.small),
      echo256k: summarize(s.largeError ? [] : s.large),
      echo256kError: s.largeError,
      throughput: { callsPerSecond: s.calls / seconds, calls: s.calls, errors: s.errors, sessions: plan.sessions, seconds },
      rssMiB: entry.target.gatewayPid === undefined ? undefined : await rssMiB(entry.target.gatewayPid),
    });
  }
  for (const { client, target } of running.values()) {
    await client.close();
    await target.stop();
  }

  const report = {
    date: new Date().toISOString(),
    quick: flags.quick,
    node: process.version,
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    plan,
    results,
  };
  await mkdir(new URL("results/", import.meta.url), { recursive: true });
  await writeFile(new URL("results/compare-latest.json", import.meta.url), JSON.stringify(report, null, 2) + "\n");
  const table = await writePerformanceDoc(report);
  console.log(table);
}

try {
  await main();
} finally {
  await killAll();
}
