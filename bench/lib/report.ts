// Turns a comparison run into the markdown table, an SVG chart and docs/performance.md.
import { readFile, writeFile } from "node:fs/promises";
import type { LargeFilterReport, MicroBenchmark } from "./children.ts";
import type { ColdStartReport } from "./cold-start.ts";
import type { TargetCheck } from "./issue-targets.ts";
import type { CompareReport, ResultRow } from "./report-types.ts";

/** Everything after this line in docs/performance.md is written by hand and kept by the generator. */
const HAND_WRITTEN_MARKER = "<!-- hand-written below -->";

const fmt = (value: number | undefined, digits = 0) => (value === undefined || Number.isNaN(value) ? "–" : value.toFixed(digits));

export function markdownTable(report: CompareReport): string {
  const lines = [
    `| configuration | call | 1 KB p50 (µs) | p99 (µs) | added p50 over its floor (µs) | echo 256 KB p50 (µs) | calls/s, ${report.plan["sessions"]} sessions | errors | gateway RSS (MiB) |`,
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of report.results) {
    if (r.error) {
      lines.push(`| ${r.name} | ${r.workload} | failed to start: ${r.error.split("\n")[0]} | | | | | | |`);
      continue;
    }
    const floor = report.results.find((f) => f.name === r.floor && !f.error);
    const added = floor && r !== floor ? `${fmt(r.small.p50Us - floor.small.p50Us)} (over ${floor.name})` : "–";
    const large = r.largeError ? `fails: ${r.largeError.slice(0, 60)}` : fmt(r.large?.p50Us);
    lines.push(
      `| ${r.name} | ${r.workload} | ${fmt(r.small.p50Us)} | ${fmt(r.small.p99Us)} | ${added} | ${large} | ${fmt(r.throughput?.callsPerSecond)} | ${r.throughput?.errors ?? "–"} | ${fmt(r.rssMiB, 1)} |`,
    );
  }
  return lines.join("\n");
}

export function targetsTable(targets: readonly TargetCheck[]): string {
  const verdict = (met: boolean | undefined) => (met === undefined ? "not measured" : met ? "**met**" : "**not met**");
  return ["| target | this run | verdict |", "|---|---|---|", ...targets.map((t) => `| ${t.target} | ${t.figure} | ${verdict(t.met)} |`)].join("\n");
}

function coldStartSection(cold: ColdStartReport | { error: string } | undefined): string {
  if (!cold) return "Not measured in this run.";
  if ("error" in cold) return `Failed: ${cold.error.split("\n")[0]}`;
  const ms = (values: number[]) => values.map((v) => v.toFixed(0)).join(", ");
  return `| repetition figures (ms) | values | median |
|---|---|---:|
| backend alone: spawn server-everything → initialize response | ${ms(cold.backendSpawnMs)} | ${fmt(cold.median.backendSpawnMs)} |
| flowgate, no guard: process start → /health 200 | ${ms(cold.noGuardMs)} | ${fmt(cold.median.noGuardMs)} |
| flowgate, ${(cold.guardBytes / 2 ** 20).toFixed(2)} MiB guard: process start → /health 200 | ${ms(cold.largeGuardMs)} | ${fmt(cold.median.largeGuardMs)} |
| flowgate with the guard, minus the backend of the same repetition | ${ms(cold.largeGuardBeyondBackendMs)} | ${fmt(cold.median.largeGuardBeyondBackendMs)} |

How: each repetition runs three measurements back to back. (1) The backend alone: the SDK client
spawns \`server-everything stdio\` and the time runs until its \`initialize\` response has arrived.
(2) and (3): flowgate is spawned (\`node bin/flowgate.js --config … --listen 127.0.0.1:<port>\`)
with server-everything as its one backend, without and then with a generated guard of
${(cold.guardBytes / 2 ** 20).toFixed(2)} MiB of code (bench/lib/large-guard.ts, written to disk
once per run; each flowgate process compiles it afresh, as there is no compile cache across
processes); the time runs from the spawn call until \`GET /health\` first answers 200, polled every
${cold.pollIntervalMs} ms. flowgate spawns its backend as soon as its configuration is valid, loads its
guards while the backend starts and initializes, and listens only once both are done, so the
backend's spawn time lies wholly inside (3). "Beyond the backend" is (3)
minus (1) of the same repetition; the median of those differences is the target's figure. It still
contains Node's own start-up and the loading of flowgate's modules.`;
}

function largeFilterSection(reports: ReadonlyArray<LargeFilterReport | { error: string } | undefined>): string {
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const rows = reports.map((filter) => {
    if (!filter) return "| not measured in this run | | | | | | | |";
    if ("error" in filter) return `| failed: ${filter.error.split("\n")[0]} | | | | | | | |`;
    return `| ${filter.guard === "wasm" ? "WASM guard (guards/bench-labels)" : "in-process stand-in guard"} | ${mib(filter.payloadBytes)} MiB | ${filter.items} (${filter.filteredItems}) | ${mib(filter.guardOutputBytes)} MiB | ${mib(filter.resultBytes)} MiB | ${fmt(filter.medianMs)} ms (${fmt(filter.medianMsWithLog)} ms with the log records) | ${fmt(filter.mbPerSecond, 1)} MB/s | ${mib(filter.maxExtraPeakBytes)} MiB (${fmt(filter.extraOverPayload, 2)} × payload); per run ${filter.extraPeakBytesPerRun.map(mib).join(", ")} |`;
  });
  return `| guard | payload | items (filtered) | guard output | result returned | median time | throughput | peak extra memory (max of runs) |
|---|---:|---:|---:|---:|---:|---:|---|
${rows.join("\n")}

How (bench/filter-large.ts, each row in a child process of its own started with \`--expose-gc\`): a
\`tools/call\` result whose one text item is the JSON of items of about 1 KB each goes through the
real \`EnforcementPipeline\` (src/enforce) in-process, with the real DIFC engine and the real file
logger (one \`difc-filtered\` record per removed item, in a temporary log directory). One item in
four carries a secrecy tag the agent lacks and is removed; the agent gets the remaining items as
one JSON text, as the reference shapes it. The guard labels items by path (\`/items/<i>\`) and never
repeats their content, so its output stays far under the ABI's 16 MiB output cap.

**The 16 MiB row cannot use a WASM guard**: the guard ABI caps a guard's input at 8 MiB (as the
reference does), so no WASM guard can be handed a 16 MiB result; through the gateway such a call
fails closed with "input too large". Its guard is an in-process stand-in that does the host's share
of a guard call (encoding the whole input with \`goJsonBytes\`, parsing the guard's output with the
host's parser), with labels computed once beforehand; the worker hand-off and the guard's own work
are missing from it. The second row is the real thing at the largest size the cap admits:
guards/bench-labels (AssemblyScript) in the guard host's worker, counting and labelling the items
itself. The issue's target is checked on the 16 MiB row.

Throughput is the payload's size (MB = 10⁶ bytes) over the median of the runs after one warm-up,
each timed until the pipeline hands back the answer. The logger formats the \`difc-filtered\`
records after that, at the end of the event-loop turn (as it does the RPC records, so that an
answer is sent before its records are built); the time up to the end of that turn is in brackets.
Memory: before each run the heap is collected and the kernel's peak-RSS mark is reset
(\`/proc/self/clear_refs\`); the figure is the peak RSS during the run (\`VmHWM\`) minus RSS just
before it, which counts every allocation the run touched (heap, strings, buffers, the guard's
memory).`;
}

function microSection(micro: readonly MicroBenchmark[] | undefined): string {
  if (!micro) return "Skipped in this run (`--quick`).";
  return micro
    .map((m) => `### ${m.name} (\`${m.command}\`, run as a child process)\n\n\`\`\`text\n${m.output ?? `failed: ${m.error ?? "unknown"}`}\n\`\`\``)
    .join("\n\n");
}

/** Two horizontal bar charts side by side: p50 latency of the small call, and throughput. */
export function svgChart(report: CompareReport): string {
  const rows = report.results.filter((r) => !r.error);
  const rowHeight = 26;
  const top = 40;
  const height = top + rows.length * rowHeight + 20;
  const barMax = 240;
  const maxLatency = Math.max(...rows.map((r) => r.small.p50Us), 1);
  const maxThroughput = Math.max(...rows.map((r) => r.throughput?.callsPerSecond ?? 0), 1);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="150" y="20" font-weight="bold">1 KB call, p50 latency (µs, lower is better)</text>`,
    `<text x="590" y="20" font-weight="bold">echo calls/s with ${report.plan["sessions"]} sessions (higher is better)</text>`,
  ];
  rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    const latencyWidth = (r.small.p50Us / maxLatency) * barMax;
    parts.push(
      `<text x="140" y="${y + 14}" text-anchor="end">${r.name} (${r.workload === "echo" ? "echo" : "read"})</text>`,
      `<rect x="150" y="${y}" width="${latencyWidth.toFixed(1)}" height="18" fill="#4e79a7"/>`,
      `<text x="${(154 + latencyWidth).toFixed(1)}" y="${y + 14}">${fmt(r.small.p50Us)}</text>`,
    );
    if (r.throughput) {
      const throughputWidth = (r.throughput.callsPerSecond / maxThroughput) * barMax;
      parts.push(
        `<rect x="590" y="${y}" width="${throughputWidth.toFixed(1)}" height="18" fill="#59a14f"/>`,
        `<text x="${(594 + throughputWidth).toFixed(1)}" y="${y + 14}">${fmt(r.throughput.callsPerSecond)}</text>`,
      );
    } else {
      parts.push(`<text x="590" y="${y + 14}" fill="#888">not in the throughput phase</text>`);
    }
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

/** The hand-written tail of an existing docs/performance.md (marker included), or a fresh one. */
async function handWrittenTail(path: URL): Promise<string> {
  const existing = await readFile(path, "utf8").catch(() => "");
  const at = existing.indexOf(HAND_WRITTEN_MARKER);
  if (at >= 0) return existing.slice(at);
  return `${HAND_WRITTEN_MARKER}

## Before and after

Changes made for speed, each with figures from runs before and after it. This section is written
by hand; \`npm run bench\` regenerates everything above the marker and keeps everything below it.
`;
}

/** Writes docs/performance.md and docs/performance.svg from a full (not --quick) run; returns the tables. */
export async function writePerformanceDoc(report: CompareReport): Promise<string> {
  const summary = `${markdownTable(report)}\n\n${targetsTable(report.targets)}`;
  if (report.quick) return summary;
  const docs = new URL("../../docs/", import.meta.url);
  const docPath = new URL("performance.md", docs);
  const tail = await handWrittenTail(docPath);
  await writeFile(new URL("performance.svg", docs), svgChart(report));
  const descriptions = report.results.map((r: ResultRow) => `- **${r.name}**: ${r.description}`).join("\n");
  await writeFile(
    docPath,
    `# Performance

Generated by \`npm run bench\` on ${report.date.slice(0, 10)}; machine: ${report.machine}; Node ${report.node}.
Every configuration is measured in the same run, interleaved in rounds, so compare them as ratios;
absolute numbers move by tens of percent between runs on a 2-core machine. The raw figures are in
\`bench/results/compare-latest.json\`.

${descriptions}

Latency: sequential calls, ${report.plan["smallPerRound"]} small and ${report.plan["largePerRound"]} large per round
over ${report.plan["rounds"]} rounds after ${report.plan["warmup"]} warm-up calls. Throughput: ${report.plan["sessions"]} sessions
calling echo 1 KB in a loop, ${report.plan["throughputRounds"]} rounds of ${(report.plan["throughputMs"] ?? 0) / 1000} s.
RSS: the gateway process alone (not its backends), after the run.

${markdownTable(report)}

![latency and throughput per configuration](performance.svg)

## Targets (issues 7, 17 and 18)

Each computed from the figures of this same run.

${targetsTable(report.targets)}

## Cold start

${coldStartSection(report.coldStart)}

## Large labelled response, filtered

${largeFilterSection([report.largeFilter, report.largeFilterWasm])}

## Micro-benchmarks

${microSection(report.micro)}

${tail}`,
  );
  return summary;
}
