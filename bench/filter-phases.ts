// The phases of bench/filter-large.ts's enforcement path timed one by one, without the logger:
// encoding the guard input, parsing the guard's output, labelling, filtering, the visible text.
// Fastest of nine runs is the figure that moves least on a shared machine.
// Usage: node --expose-gc bench/filter-phases.ts [checkout]   (a checkout's own sources, for A/B)
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Difc from "../src/difc/index.ts";
import type * as GoJson from "../src/guard/go-json.ts";
import type * as Results from "../src/guard/results.ts";
import { guardOutputBytes, itemCount, payloadText } from "./lib/large-payload.ts";
import { median } from "./lib/stats.ts";

const root = pathToFileURL(`${resolve(process.argv[2] ?? ".")}/`).href;
const { goJsonBytes } = (await import(`${root}src/guard/go-json.ts`)) as typeof GoJson;
const { parseResponseLabels } = (await import(`${root}src/guard/results.ts`)) as typeof Results;
const difc = (await import(`${root}src/difc/index.ts`)) as typeof Difc;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

const PAYLOAD_BYTES = 16 * 1024 * 1024;
const rawResult = { content: [{ type: "text", text: payloadText(PAYLOAD_BYTES) }] };
const output = guardOutputBytes(itemCount(PAYLOAD_BYTES));
const agent = { secrecy: difc.label([]), integrity: difc.label([]) };
const context = { agentId: "bench-agent", serverId: "bench", toolName: "list_items", operation: "read", mode: "filter" } as const;

const times = new Map<string, number[]>();
function timed<T>(phase: string, run: () => T): T {
  const start = performance.now();
  const value = run();
  times.set(phase, [...(times.get(phase) ?? []), performance.now() - start]);
  return value;
}

for (let run = 0; run < 9; run++) {
  gc();
  const start = performance.now();
  timed("guard input", () => goJsonBytes({ capabilities: {}, tool_args: { page: 1 }, tool_name: "list_items", tool_result: rawResult }));
  const labels = timed("guard output", () => parseResponseLabels(output));
  const labeled = timed("labelResponse", () => difc.labelResponse(labels, rawResult));
  if (labeled === null) throw new Error("the guard output gave no labels");
  const outcome = timed("filter + records", () => difc.filterCollection(labeled, agent, context));
  if (outcome.kind !== "filtered") throw new Error(`expected a filtered outcome, got ${outcome.kind}`);
  timed("visible text", () => difc.collectionResult(outcome.kept, outcome.notice));
  times.set("total", [...(times.get("total") ?? []), performance.now() - start]);
}

const fastest = (samples: number[]) => Math.min(...samples);
for (const [phase, samples] of times) {
  process.stdout.write(`${phase.padEnd(18)} fastest ${fastest(samples).toFixed(1).padStart(7)} ms   median ${median(samples).toFixed(1).padStart(7)} ms\n`);
}
