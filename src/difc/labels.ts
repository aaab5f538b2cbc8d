/**
 * Tags are opaque, case-sensitive strings; a label is a set of them. The only tag with a meaning
 * of its own is the wildcard, and only on the superset side of a flow check (see flow.ts).
 */
export type Label = ReadonlySet<string>;

export const WILDCARD_TAG = "*";

/** The two labels every agent carries. */
export interface AgentLabels {
  readonly secrecy: Label;
  readonly integrity: Label;
}

/** A resource or response item: its labels and the description used in reasons and logs. */
export interface ResourceLabels extends AgentLabels {
  readonly description: string;
}

export type Operation = "read" | "write" | "read-write";
export type EnforcementMode = "strict" | "filter" | "propagate";

export const OPERATIONS: readonly Operation[] = ["read", "write", "read-write"];
export const ENFORCEMENT_MODES: readonly EnforcementMode[] = ["strict", "filter", "propagate"];

export function label(tags: Iterable<string> = []): Label {
  return new Set(tags);
}

/** Tags in ascending byte order: every list flowgate derives from a label is sorted, so output is stable. */
export function sortedTags(tags: Iterable<string>): string[] {
  const list = [...tags];
  // Guards often emit tags in order already; checking is cheaper than sorting. The default sort
  // compares UTF-16 code units, which equals UTF-8 byte order except for astral characters.
  for (let i = 1; i < list.length; i++) {
    if ((list[i - 1] as string) > (list[i] as string)) return list.sort();
  }
  return list;
}

export function union(a: Label, b: Label): Label {
  if (b.size === 0) return a;
  const out = new Set(a);
  for (const tag of b) out.add(tag);
  return out;
}

export function intersect(a: Label, b: Label): Label {
  const out = new Set<string>();
  for (const tag of a) if (b.has(tag)) out.add(tag);
  return out;
}

/** Tags from label_agent results are trimmed and empties dropped; tags from other guard outputs are used verbatim. */
export function trimmedTags(values: Iterable<string>): string[] {
  const out: string[] = [];
  for (const value of values) {
    const tag = value.trim();
    if (tag !== "") out.push(tag);
  }
  return out;
}
