// The issues' targets (7, 17 and 18), each computed from one run's figures.
import type { ColdStartReport } from "./cold-start.ts";
import type { LargeFilterReport, MicroBenchmark } from "./children.ts";
import type { ResultRow } from "./report-types.ts";

export interface TargetCheck {
  target: string;
  /** The figures and the ratio, in words. */
  figure: string;
  /** undefined when a figure it needs is missing from the run. */
  met: boolean | undefined;
}

const PEERS = ["supergateway", "mcp-proxy"];
const FLOWGATE = ["flowgate", "flowgate+guard"];
const GUARDED = ["flowgate+guard", "flowgate+fs-guard"];
const LATENCY_SHARE = 0.5;
const THROUGHPUT_FACTOR = 1.5;
const RSS_ALLOWANCE_MIB = 30;
const COLD_START_BUDGET_MS = 400;
const FILTER_MB_PER_SECOND = 150;
const FILTER_MEMORY_FACTOR = 3;

const f0 = (value: number) => value.toFixed(0);
const f1 = (value: number) => value.toFixed(1);
const f2 = (value: number) => value.toFixed(2);

function usable(rows: readonly ResultRow[], names: readonly string[]): ResultRow[] {
  return rows.filter((row) => names.includes(row.name) && !row.error);
}

function missing(target: string, what: string): TargetCheck {
  return { target, figure: `not measured: ${what}`, met: undefined };
}

/**
 * Each guarded configuration against the faster peer. The peers carry only server-everything, so
 * the filesystem guard's added latency (over direct-fs, read_text_file) is set against the peers'
 * (over direct, echo 1 KB): different calls, the same kind of cost.
 */
function latency(rows: readonly ResultRow[]): TargetCheck[] {
  const find = (name: string) => rows.find((row) => row.name === name && !row.error);
  const added = (row: ResultRow) => row.small.p50Us - (find(row.floor)?.small.p50Us ?? Number.NaN);
  const peers = usable(rows, PEERS).filter((row) => !Number.isNaN(added(row)));
  return GUARDED.map((name) => {
    const guarded = find(name);
    const target = `${name} adds ≤ ${LATENCY_SHARE} × the p50 latency the faster peer adds over direct`;
    if (!guarded || Number.isNaN(added(guarded)) || peers.length === 0) return missing(target, `${name}, its floor or both peers failed`);
    const fastest = peers.reduce((best, row) => (added(row) < added(best) ? row : best));
    const ratio = added(guarded) / added(fastest);
    // What any gateway over HTTP pays before doing anything, and what one relaying to a stdio
    // server pays before doing anything of its own: bounds on this ratio from below.
    const floors = [
      ["http-floor", "the HTTP hop alone"],
      ["relay-floor", "a bare HTTP → stdio relay"],
    ].flatMap(([floorName, what]) => {
      const row = find(floorName!);
      return row ? [`${what} (${floorName}) adds ${f0(added(row))} µs, ${f2(added(row) / added(fastest))} of ${fastest.name}'s`] : [];
    });
    const hopShare = floors.length > 0 ? `; ${floors.join("; ")}` : "";
    return {
      target,
      figure: `${name} adds ${f0(added(guarded))} µs over ${guarded.floor} (${guarded.workload}), ${fastest.name} adds ${f0(added(fastest))} µs over ${fastest.floor} (${fastest.workload}): ratio ${f2(ratio)} (needs ≤ ${LATENCY_SHARE})${hopShare}`,
      met: ratio <= LATENCY_SHARE,
    };
  });
}

function throughput(rows: readonly ResultRow[]): TargetCheck[] {
  const peers = usable(rows, PEERS).filter((row) => row.throughput);
  return usable(rows, FLOWGATE).map((row) => {
    const target = `${row.name}: calls/s with ${row.throughput?.sessions ?? "?"} sessions ≥ ${THROUGHPUT_FACTOR} × the best peer`;
    if (!row.throughput || peers.length === 0) return missing(target, "no throughput figure");
    const best = peers.reduce((a, b) => (a.throughput!.callsPerSecond > b.throughput!.callsPerSecond ? a : b));
    const ratio = row.throughput.callsPerSecond / best.throughput!.callsPerSecond;
    return {
      target,
      figure: `${f0(row.throughput.callsPerSecond)} calls/s against ${best.name}'s ${f0(best.throughput!.callsPerSecond)}: ratio ${f2(ratio)} (needs ≥ ${THROUGHPUT_FACTOR})`,
      met: ratio >= THROUGHPUT_FACTOR,
    };
  });
}

function rss(rows: readonly ResultRow[]): TargetCheck[] {
  const peers = usable(rows, PEERS).filter((row) => row.rssMiB !== undefined);
  return usable(rows, FLOWGATE).map((row) => {
    const target = `${row.name}: gateway RSS ≤ the best peer's + ${RSS_ALLOWANCE_MIB} MiB`;
    if (row.rssMiB === undefined || peers.length === 0) return missing(target, "no RSS figure");
    const best = peers.reduce((a, b) => (a.rssMiB! < b.rssMiB! ? a : b));
    const over = row.rssMiB - best.rssMiB!;
    return {
      target,
      figure: `${f1(row.rssMiB)} MiB against ${best.name}'s ${f1(best.rssMiB!)} MiB: ${over >= 0 ? "+" : ""}${f1(over)} MiB (needs ≤ +${RSS_ALLOWANCE_MIB})`,
      met: over <= RSS_ALLOWANCE_MIB,
    };
  });
}

function coldStart(report: ColdStartReport | { error: string } | undefined): TargetCheck {
  const target = `cold start with a 3 MB guard ≤ ${COLD_START_BUDGET_MS} ms beyond the backend's own spawn`;
  if (!report || "error" in report) return missing(target, report?.error.split("\n")[0] ?? "skipped");
  const { median } = report;
  return {
    target,
    figure: `median ${f0(median.largeGuardBeyondBackendMs)} ms beyond the backend (process start to /health 200: ${f0(median.largeGuardMs)} ms; backend spawn to initialize: ${f0(median.backendSpawnMs)} ms)`,
    met: median.largeGuardBeyondBackendMs <= COLD_START_BUDGET_MS,
  };
}

function largeFilter(report: LargeFilterReport | { error: string } | undefined): TargetCheck[] {
  const speed = `16 MiB labelled response filtered at ≥ ${FILTER_MB_PER_SECOND} MB/s`;
  const memory = `16 MiB labelled response: peak extra memory ≤ ${FILTER_MEMORY_FACTOR} × the payload`;
  if (!report || "error" in report) {
    const why = report?.error.split("\n")[0] ?? "skipped";
    return [missing(speed, why), missing(memory, why)];
  }
  return [
    {
      target: speed,
      figure: `${f1(report.mbPerSecond)} MB/s (median ${f0(report.medianMs)} ms for ${f1(report.payloadBytes / 1e6)} MB; ${f0(report.medianMsWithLog)} ms with the difc_filtered records the logger formats after the answer)`,
      met: report.mbPerSecond >= FILTER_MB_PER_SECOND,
    },
    {
      target: memory,
      figure: `peak ${f1(report.maxExtraPeakBytes / 2 ** 20)} MiB extra = ${f2(report.extraOverPayload)} × the payload (needs ≤ ${FILTER_MEMORY_FACTOR})`,
      met: report.extraOverPayload <= FILTER_MEMORY_FACTOR,
    },
  ];
}

export function checkTargets(
  rows: readonly ResultRow[],
  cold: ColdStartReport | { error: string } | undefined,
  filter: LargeFilterReport | { error: string } | undefined,
  micro: readonly MicroBenchmark[] | undefined,
): TargetCheck[] {
  return [
    ...latency(rows),
    ...throughput(rows),
    ...rss(rows),
    sharedState(rows),
    largeAnswer(rows),
    rssBudget(rows),
    coldStart(cold),
    ...largeFilter(filter),
    ...callingBack(micro),
  ];
}

const CALLING_BACK_P50_FACTOR = 1.1;
const CALLING_BACK_P99_FACTOR = 1.5;

/** Issue 17: the guard host's label_response with a call back, against the same guard in a plain in-process host. */
function callingBack(micro: readonly MicroBenchmark[] | undefined): TargetCheck[] {
  const p50 = `guard label_response, 30 items with a call back: p50 ≤ ${CALLING_BACK_P50_FACTOR} × the in-process floor`;
  const p99 = `guard label_response, 30 items with a call back: p99 ≤ ${CALLING_BACK_P99_FACTOR} × the in-process floor`;
  const figures = micro?.find((run) => run.callingBack)?.callingBack;
  if (!figures) {
    const why = micro ? "the guard host benchmark failed" : "micro-benchmarks skipped";
    return [missing(p50, why), missing(p99, why)];
  }
  const check = (target: string, host: number, floor: number, factor: number): TargetCheck => ({
    target,
    figure: `${f0(host)} µs against ${f0(floor)} µs: ${f2(host / floor)} × (needs ≤ ${factor})`,
    met: host / floor <= factor,
  });
  return [
    check(p50, figures.hostP50Us, figures.floorP50Us, CALLING_BACK_P50_FACTOR),
    check(p99, figures.hostP99Us, figures.floorP99Us, CALLING_BACK_P99_FACTOR),
  ];
}

const LARGE_ANSWER_FACTOR = 1.5;
const RSS_BUDGET_MIB = 150;

/** Issue 17: a 256 KB echo through the guarded gateway against the same echo over direct stdio. */
function largeAnswer(rows: readonly ResultRow[]): TargetCheck {
  const target = `flowgate+guard: 256 KB echo p50 ≤ ${LARGE_ANSWER_FACTOR} × direct stdio's`;
  const [floor, guarded] = ["direct", "flowgate+guard"].map((name) => rows.find((row) => row.name === name && !row.error && row.large?.count));
  if (!floor?.large || !guarded?.large) return missing(target, "direct or flowgate+guard has no 256 KB figure");
  const ratio = guarded.large.p50Us / floor.large.p50Us;
  return {
    target,
    figure: `${f0(guarded.large.p50Us)} µs against ${f0(floor.large.p50Us)} µs: ${f2(ratio)} × (needs ≤ ${LARGE_ANSWER_FACTOR})`,
    met: ratio <= LARGE_ANSWER_FACTOR,
  };
}

/** Issue 17: the guarded gateway's RSS after the 16-session run, as a budget of its own. */
function rssBudget(rows: readonly ResultRow[]): TargetCheck {
  const target = `flowgate+guard: gateway RSS after the 16-session run ≤ ${RSS_BUDGET_MIB} MiB`;
  const row = rows.find((candidate) => candidate.name === "flowgate+guard" && !candidate.error);
  if (row?.rssMiB === undefined) return missing(target, "flowgate+guard has no RSS figure");
  return { target, figure: `${f1(row.rssMiB)} MiB (needs ≤ ${RSS_BUDGET_MIB})`, met: row.rssMiB <= RSS_BUDGET_MIB };
}

const SHARED_STATE_BUDGET_US = 300;

/** Issue 18: what keeping the DIFC state in Redis adds to a guarded call, over keeping it in memory. */
function sharedState(rows: readonly ResultRow[]): TargetCheck {
  const target = `flowgate+guard+redis adds ≤ ${SHARED_STATE_BUDGET_US} µs p50 over flowgate+guard (in-memory state)`;
  const [inMemory, shared] = ["flowgate+guard", "flowgate+guard+redis"].map((name) => rows.find((row) => row.name === name && !row.error));
  if (!inMemory || !shared) return missing(target, "flowgate+guard or flowgate+guard+redis failed");
  const added = shared.small.p50Us - inMemory.small.p50Us;
  return {
    target,
    figure: `${f0(shared.small.p50Us)} µs against ${f0(inMemory.small.p50Us)} µs: ${f0(added)} µs added (needs ≤ ${SHARED_STATE_BUDGET_US})`,
    met: added <= SHARED_STATE_BUDGET_US,
  };
}
