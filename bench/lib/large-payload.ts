// The labelled collection that bench/filter-large.ts sends through the pipeline and
// bench/filter-phases.ts times phase by phase: one fixture, so the two measure the same thing.

/** One item in this many carries a secrecy tag the agent lacks, and is filtered out. */
const SECRET_EVERY = 4;
const ITEM_BYTES = 1024;

/** How many items of about 1 KB make `payloadBytes`. */
export function itemCount(payloadBytes: number): number {
  return Math.floor(payloadBytes / ITEM_BYTES);
}

/** The JSON text `{"items":[…]}` of itemCount(payloadBytes) items, exactly payloadBytes long. */
export function payloadText(payloadBytes: number): string {
  const count = itemCount(payloadBytes);
  const item = (i: number, body: string) => ({ number: i, title: `item ${i}`, html_url: `https://example.test/items/${i}`, body });
  const overhead = JSON.stringify({ items: Array.from({ length: count }, (_, i) => item(i, "")) }).length;
  const per = Math.floor((payloadBytes - overhead) / count);
  const items = Array.from({ length: count }, (_, i) => item(i, "b".repeat(per + (i < (payloadBytes - overhead) % count ? 1 : 0))));
  return JSON.stringify({ items });
}

/** What guards/bench-labels answers for `count` items: per-item labels, by path. */
export function guardOutputBytes(count: number): Uint8Array {
  const labeledPaths = Array.from({ length: count }, (_, i) => ({
    path: `/items/${i}`,
    labels: { description: "bench:item", secrecy: i % SECRET_EVERY === 0 ? ["private:bench/secret"] : [], integrity: [] },
  }));
  return new TextEncoder().encode(JSON.stringify({ items_path: "/items", labeled_paths: labeledPaths }));
}
