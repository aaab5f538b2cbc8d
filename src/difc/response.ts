import { shouldAccumulateReadLabels, type CoarseOutcome } from "./decisions.ts";
import { filterCollection, type FilterContext, type FilteredItem } from "./filter.ts";
import type { DifcFilteredFields } from "./filtered-record.ts";
import { jsonArrayText } from "./json-array-text.ts";
import type { LabeledCollection, LabeledItem } from "./labeled-response.ts";
import { intersect, label, union, type AgentLabels, type Label, type ResourceLabels } from "./labels.ts";
import { formatViolationError } from "./violation-text.ts";

/** An MCP CallToolResult as plain JSON. */
export interface ToolResultJson {
  content: Array<{ type: "text"; text: string }>;
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
  const absorbFrom = (labels: AgentLabels): AgentLabels | null =>
    shouldAccumulateReadLabels(input.operation, input.mode) ? labels : null;

  if (input.labeled === null) {
    if (input.coarse.kind !== "allowed") {
      return { kind: "error", message: formatViolationError(input.coarse.evaluation, input.agent, input.resource), filtered: [], records: [] };
    }
    return { kind: "result", result: input.rawResult, filtered: [], records: [], absorb: absorbFrom(input.resource) };
  }

  const outcome = filterCollection(input.labeled, input.agent, input);
  if (outcome.kind === "blocked") return { kind: "error", message: outcome.error, filtered: outcome.filtered, records: [] };
  if (outcome.kind === "single-item-denied") {
    return { kind: "error", message: outcome.error, filtered: outcome.filtered, records: outcome.records };
  }
  return {
    kind: "result",
    result: collectionResult(outcome.kept, outcome.notice),
    filtered: outcome.filtered,
    records: outcome.records,
    absorb: absorbFrom(overallLabels(input.labeled)),
  };
}

/**
 * Like the reference, the visible items go back as one JSON array in one text block, plus the
 * notice. The text is JSON.stringify of the items' data; items that carry their JSON already are
 * not encoded again.
 */
export function collectionResult(kept: readonly LabeledItem[], notice: string | null): ToolResultJson {
  const parts = kept.map((item) => item.json ?? JSON.stringify(item.data) ?? "null");
  const content: ToolResultJson["content"] = [{ type: "text", text: jsonArrayText(parts) }];
  if (notice !== null) content.push({ type: "text", text: notice });
  return { content };
}

/**
 * What reading the whole collection taints the agent with: the union of the items' secrecy and the
 * intersection of their integrity (an empty collection has empty integrity). The reference unions
 * integrity too, which lets an agent keep trust that one of the items it read did not have.
 */
export function overallLabels(collection: LabeledCollection): AgentLabels {
  let secrecy: Label = label();
  let integrity: Label | null = null;
  for (const { labels } of collection.items) {
    secrecy = union(secrecy, labels.secrecy);
    integrity = integrity === null ? labels.integrity : intersect(integrity, labels.integrity);
  }
  return { secrecy, integrity: integrity ?? label() };
}
