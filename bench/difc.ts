/**
 * DIFC engine benchmark (issue 4): filtering a 10,000-item labelled collection with 10 tags per
 * label, and the evaluator's checks per second. Run with `npm run bench:difc`.
 */
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { evaluate, filterCollection, labelResponse, type AgentLabels, type LabeledCollection, type ResourceLabels } from "../src/difc/index.ts";

const ITEMS = 10_000;
const TAGS = 10;
const RUNS = 60;
const TARGET_MS = 20;

// Descending order, so that every list the engine reports has to be sorted (guards do not sort).
const tags = (prefix: string, count = TAGS) => Array.from({ length: count }, (_, i) => `${prefix}:org/repo-${count - 1 - i}`);

// The agent holds 10 secrecy and 10 integrity tags. Every item has 10 of each; one in four items
// carries a secrecy tag the agent lacks and is filtered (with its reason text and log record).
const agent: AgentLabels = { secrecy: new Set(tags("private")), integrity: new Set(tags("approved")) };

function itemLabels(index: number): { description: string; secrecy: string[]; integrity: string[] } {
  const secrecy = tags("private");
  if (index % 4 === 0) secrecy[0] = `private:other/secret-${index}`;
  return { description: `issue:org/repo#${index}`, secrecy, integrity: tags("approved") };
}

const data = Array.from({ length: ITEMS }, (_, i) => ({ number: i, title: `issue ${i}`, html_url: `https://x/${i}` }));
const toolResult = { content: [{ type: "text", text: JSON.stringify({ items: data }) }] };
const guardOutput = {
  items_path: "/items",
  labeled_paths: data.map((_, i) => ({ path: `/items/${i}`, labels: itemLabels(i) })),
};
const collection: LabeledCollection = labelResponse(guardOutput, toolResult) ?? { items: [] };
const context = { agentId: "bench", serverId: "github", toolName: "list_issues", operation: "read" as const, mode: "filter" as const };

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function time(run: () => unknown): { median: number; min: number } {
  for (let i = 0; i < 5; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return { median: median(samples), min: Math.min(...samples) };
}

// labelResponse shares one label object among items with equal tags, and filtering checks each
// distinct label once. Worst case: every item with label objects of its own, nothing shared.
const unshared: LabeledCollection = {
  items: collection.items.map(({ data, labels }) => ({
    data,
    labels: { description: labels.description, secrecy: new Set(labels.secrecy), integrity: new Set(labels.integrity) },
  })),
};

const filter = time(() => filterCollection(collection, agent, context));
const filterUnshared = time(() => filterCollection(unshared, agent, context));
const labelAndFilter = time(() => filterCollection(labelResponse(guardOutput, toolResult) ?? { items: [] }, agent, context));

const allowedResource: ResourceLabels = collection.items[1]?.labels ?? { description: "", secrecy: new Set(), integrity: new Set() };
const deniedResource: ResourceLabels = collection.items[0]?.labels ?? allowedResource;
const CHECKS = 200_000;
const checks = (resource: ResourceLabels) =>
  time(() => {
    for (let i = 0; i < CHECKS; i++) evaluate(agent, resource, "read", "filter");
  });
const allowChecks = checks(allowedResource);
const denyChecks = checks(deniedResource);

const outcome = filterCollection(collection, agent, context);
const kept = outcome.kind === "filtered" ? outcome.kept.length : 0;
const ms = (value: number) => `${value.toFixed(2)} ms`.padStart(10);
const perSecond = (count: number, millis: number) =>
  Math.round((count / millis) * 1000)
    .toLocaleString("en-US")
    .padStart(12);

console.log(`DIFC benchmark: Node ${process.versions.node}, ${ITEMS} items, ${TAGS} tags per label, median of ${RUNS} runs`);
console.log(`(agent holds ${TAGS} secrecy + ${TAGS} integrity tags; ${ITEMS - kept} of ${ITEMS} items filtered)`);
console.log(`load average ${loadavg()[0]?.toFixed(2)} on ${availableParallelism()} CPUs: on a busy machine the median rises, the minimum less so`);
console.log("");
console.log(`filter 10,000 labelled items          ${ms(filter.median)} (min ${filter.min.toFixed(2)})  ${perSecond(ITEMS, filter.median)} items/s`);
console.log(
  `filter, no labels shared (worst case)  ${ms(filterUnshared.median)} (min ${filterUnshared.min.toFixed(2)})  ${perSecond(ITEMS, filterUnshared.median)} items/s`,
);
console.log(
  `label (path format) + filter          ${ms(labelAndFilter.median)} (min ${labelAndFilter.min.toFixed(2)})  ${perSecond(ITEMS, labelAndFilter.median)} items/s`,
);
console.log(`evaluator, allowed read (10+10 tags)  ${perSecond(CHECKS, allowChecks.median)} checks/s`);
console.log(`evaluator, denied read with reason    ${perSecond(CHECKS, denyChecks.median)} checks/s`);
console.log("");
const verdict = (value: number) => (value <= TARGET_MS ? "met" : "NOT met");
console.log(`target: 10,000 items <= ${TARGET_MS} ms: ${verdict(filter.median)}; worst case ${verdict(filterUnshared.median)}`);
