import { WILDCARD_TAG, sortedTags, type Label } from "./labels.ts";

export interface FlowCheck {
  readonly ok: boolean;
  /** Sorted; empty when ok. */
  readonly violating: readonly string[];
}

const OK: FlowCheck = { ok: true, violating: [] };

/**
 * May data labelled `source` flow to `target` under secrecy (source ⊆ target)? An absent label
 * (undefined) stands for the reference's nil label. The wildcard counts only in the target.
 */
export function checkSecrecyFlow(source: Label | undefined, target: Label | undefined): FlowCheck {
  if (source === undefined) return OK;
  if (target === undefined) return result(source);
  if (target.has(WILDCARD_TAG)) return OK;
  return result(missingFrom(source, target));
}

/**
 * May data labelled `source` flow to `target` under integrity (source ⊇ target)? The wildcard
 * counts only in the source.
 */
export function checkIntegrityFlow(source: Label | undefined, target: Label | undefined): FlowCheck {
  if (source === undefined) return target === undefined ? OK : result(target);
  if (target === undefined) return OK;
  if (source.has(WILDCARD_TAG)) return OK;
  return result(missingFrom(target, source));
}

/** Null when every tag is in the container: the allowed path, taken for most items, allocates nothing. */
function missingFrom(tags: Label, container: Label): string[] | null {
  let missing: string[] | null = null;
  for (const tag of tags) if (!container.has(tag)) (missing ??= []).push(tag);
  return missing;
}

function result(violating: Iterable<string> | null): FlowCheck {
  if (violating === null) return OK;
  const list = sortedTags(violating);
  return list.length === 0 ? OK : { ok: false, violating: list };
}
