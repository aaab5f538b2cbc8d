import { shouldAccumulateReadLabels, type CoarseOutcome } from "./decisions.ts";
import { filterCollection, type FilterContext, type FilteredItem } from "./filter.ts";
import type { DifcFilteredFields } from "./filtered-record.ts";
import { isPlainObject, jsonEqual } from "./json.ts";
import { jsonArrayText } from "./json-array-text.ts";
import { pointerSegments } from "./json-pointer.ts";
import { toolResultText, unwrapToolResult, type LabeledCollection, type LabeledItem } from "./labeled-response.ts";
import { intersect, label, union, type AgentLabels, type Label, type ResourceLabels } from "./labels.ts";
import { formatViolationError } from "./violation-text.ts";

/** An MCP CallToolResult as plain JSON. */
export interface ToolResultJson {
  content: Array<{ type: "text"; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: true;
}

export interface ResponseInput extends FilterContext {
  readonly agent: AgentLabels;
  /** The resource labels from label_resource (phase 1). */
  readonly resource: ResourceLabels;
  readonly coarse: CoarseOutcome;
  /** From labelResponse(); null when the guard gave no fine-grained labels or was not asked. */
  readonly labeled: LabeledCollection | null;
  /** The backend's tool result, returned as it is when there are no fine-grained labels. */
  readonly rawResult: unknown;
}

export type ResponseOutcome =
  | {
      readonly kind: "error";
      /** The error text for the client (a JSON-RPC error). */
      readonly message: string;
      readonly filtered: readonly FilteredItem[];
      readonly records: readonly DifcFilteredFields[];
    }
  | {
      readonly kind: "result";
      /** The backend's raw result, or a result holding the visible items. */
      readonly result: unknown;
      readonly filtered: readonly FilteredItem[];
      readonly records: readonly DifcFilteredFields[];
      /** In propagate mode, the labels the agent absorbs (store.accumulateFromRead); otherwise null. */
      readonly absorb: AgentLabels | null;
    };

/**
 * Phases 5–7 after the backend answered: filter the labelled items, decide what the client gets,
 * and what the agent absorbs. A read that failed the coarse check is never passed through unfiltered:
 * without item labels it is refused with the coarse violation text.
 */
export function enforceResponse(input: ResponseInput): ResponseOutcome {
  const absorbs = shouldAccumulateReadLabels(input.operation, input.mode);

  if (input.labeled === null) {
    if (input.coarse.kind !== "allowed") {
      return { kind: "error", message: formatViolationError(input.coarse.evaluation, input.agent, input.resource), filtered: [], records: [] };
    }
    return { kind: "result", result: input.rawResult, filtered: [], records: [], absorb: absorbs ? input.resource : null };
  }

  const outcome = filterCollection(input.labeled, input.agent, input);
  if (outcome.kind === "blocked") return { kind: "error", message: outcome.error, filtered: outcome.filtered, records: [] };
  if (outcome.kind === "single-item-denied") {
    return { kind: "error", message: outcome.error, filtered: outcome.filtered, records: outcome.records };
  }
  // Only read in propagate mode: folding thousands of items' labels is not done for nothing.
  const absorb = absorbs ? overallLabels(input.labeled) : null;
  if (outcome.filtered.length === 0 && isCoveredByItems(input.labeled, input.rawResult)) {
    return { kind: "result", result: input.rawResult, filtered: [], records: [], absorb };
  }
  return {
    kind: "result",
    result: collectionResult(outcome.kept, outcome.notice, input.rawResult, input.labeled.itemsPath),
    filtered: outcome.filtered,
    records: outcome.records,
    absorb,
  };
}

/**
 * Whether the items are the backend's result itself, so that when none is filtered the agent may
 * get the result untouched (`structuredContent`, `isError` and `_meta` included, which a client
 * checking the tool's output schema needs): one item that is the whole result (the filesystem
 * guard labels every single file and every error so), elements the gateway took from the result's
 * JSON text (path labels), or the guard's strings that, joined by one separator, are exactly the
 * result's text (lines of a listing). Items a guard rewrote are not the result: returning it
 * would undo the rewrite, so those keep the reference's shape.
 */
function isCoveredByItems(collection: LabeledCollection, rawResult: unknown): boolean {
  const { items } = collection;
  // Read once: an item taken from the result's text is parsed again on every read.
  const only = items[0];
  if (items.length === 1 && only !== undefined) {
    const data = only.data;
    if (data === rawResult || (isPlainObject(data) && jsonEqual(data, rawResult))) return true;
  }
  if (!isPlainObject(rawResult) || !isTextOnly(rawResult["content"])) return false;
  const text = toolResultText(rawResult);
  const textCovered = collection.itemsPath !== undefined || (items.length > 0 && isJoinedText(items, text));
  return textCovered && structuredRepeatsText(rawResult["structuredContent"], text);
}

/** Content with nothing but text: an image or embedded resource beside it was labelled by no item. */
function isTextOnly(content: unknown): boolean {
  return Array.isArray(content) && content.every((part) => isPlainObject(part) && part["type"] === "text");
}

/** Whether the items are all strings and `text` is them joined by one separator. */
function isJoinedText(items: readonly LabeledItem[], text: string): boolean {
  const strings = items.map((item) => item.data);
  if (!strings.every((data): data is string => typeof data === "string")) return false;
  const [first, second] = strings;
  if (first === undefined || !text.startsWith(first)) return false;
  if (second === undefined) return text === first;
  const separatorEnd = text.indexOf(second, first.length);
  return separatorEnd >= 0 && text === strings.join(text.slice(first.length, separatorEnd));
}

/** structuredContent that holds nothing the text does not: none, the text's JSON, or the text itself under each key. */
function structuredRepeatsText(structured: unknown, text: string): boolean {
  if (structured === undefined) return true;
  if (!isPlainObject(structured)) return false;
  return Object.values(structured).every((value) => value === text) || jsonEqual(structured, unwrapToolResult({ content: [{ type: "text", text }] }));
}

/**
 * Like the reference, the visible items go back as one JSON array in one text block, plus the
 * notice. The text is JSON.stringify of the items' data; items that carry their JSON already are
 * not encoded again. Beyond the reference, a backend's `isError` is kept, and so is its
 * `structuredContent` when it is the JSON of the text and the collection lies at `itemsPath`
 * in it: then only the visible items are left there. Any other `structuredContent` would show
 * what was filtered, so it is dropped (the gateway drops guarded tools' output schemas for this).
 */
export function collectionResult(kept: readonly LabeledItem[], notice: string | null, rawResult?: unknown, itemsPath?: string): ToolResultJson {
  const parts = kept.map((item) => item.json ?? JSON.stringify(item.data) ?? "null");
  const content: ToolResultJson["content"] = [{ type: "text", text: jsonArrayText(parts) }];
  if (notice !== null) content.push({ type: "text", text: notice });
  const result: ToolResultJson = { content };
  if (!isPlainObject(rawResult)) return result;
  if (rawResult["isError"] === true) result.isError = true;
  const structured = itemsPath === undefined ? null : visibleStructuredContent(rawResult, itemsPath, kept);
  if (structured !== null) result.structuredContent = structured;
  return result;
}

/** The backend's structuredContent with only `kept` at `itemsPath`; null when that place is not known. */
function visibleStructuredContent(rawResult: Record<string, unknown>, itemsPath: string, kept: readonly LabeledItem[]): Record<string, unknown> | null {
  const structured = rawResult["structuredContent"];
  const segments = pointerSegments(itemsPath);
  const last = segments.pop();
  // An array cannot be structuredContent, which must be an object.
  if (last === undefined || !isPlainObject(structured) || !jsonEqual(structured, unwrapToolResult(rawResult))) return null;
  const copy = structuredClone(structured);
  let parent: unknown = copy;
  for (const segment of segments) parent = Array.isArray(parent) ? parent[Number(segment)] : (parent as Record<string, unknown>)[segment];
  if (!isPlainObject(parent) || !Array.isArray(parent[last])) return null;
  parent[last] = kept.map((item) => item.data);
  return copy;
}

/**
 * What reading the whole collection taints the agent with: the union of the items' secrecy and the
 * intersection of their integrity (an empty collection has empty integrity). The reference unions
 * integrity too, which lets an agent keep trust that one of the items it read did not have.
 */
export function overallLabels(collection: LabeledCollection): AgentLabels {
  let secrecy: Label = label();
  let integrity: Label | null = null;
  // Items mostly share a few label objects, and folding one in a second time changes nothing
  // (union and intersection are idempotent): each object is folded in once.
  const unitedSecrecy = new Set<Label>();
  const intersectedIntegrity = new Set<Label>();
  for (const { labels } of collection.items) {
    if (!unitedSecrecy.has(labels.secrecy)) {
      secrecy = union(secrecy, labels.secrecy);
      unitedSecrecy.add(labels.secrecy);
    }
    if (!intersectedIntegrity.has(labels.integrity)) {
      integrity = integrity === null ? labels.integrity : intersect(integrity, labels.integrity);
      intersectedIntegrity.add(labels.integrity);
    }
  }
  return { secrecy, integrity: integrity ?? label() };
}
