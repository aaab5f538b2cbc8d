import { shouldBlockFilteredResponse, isSingularReadTool } from "./decisions.ts";
import { CachedFlows, remember } from "./agent-flows.ts";
import { evaluateWith, isAllowed, type Evaluation } from "./evaluator.ts";
import { difcFilteredFields, type DifcFilteredFields } from "./filtered-record.ts";
import type { LabeledCollection, LabeledItem } from "./labeled-response.ts";
import type { AgentLabels, EnforcementMode, Operation, ResourceLabels } from "./labels.ts";
import { filteredNotice, singleItemDeniedError, type FilteredItemSummary } from "./notice.ts";

export interface FilterContext {
  readonly agentId: string;
  readonly serverId: string;
  readonly toolName: string;
  readonly operation: Operation;
  readonly mode: EnforcementMode;
}

export interface FilteredItem extends FilteredItemSummary {
  readonly item: LabeledItem;
}

export type FilterOutcome =
  /** Strict mode and at least one item denied: the whole call fails; nothing is logged as difc_filtered. */
  | { readonly kind: "blocked"; readonly error: string; readonly filtered: readonly FilteredItem[] }
  /** A singular read tool whose only item was denied: the call fails with the `[Filtered]` text. */
  | {
      readonly kind: "single-item-denied";
      readonly error: string;
      readonly filtered: readonly FilteredItem[];
      readonly records: readonly DifcFilteredFields[];
    }
  | {
      readonly kind: "filtered";
      /** The items the agent may see, in their original order. */
      readonly kept: readonly LabeledItem[];
      readonly filtered: readonly FilteredItem[];
      /** One difc_filtered record per filtered item, in order. */
      readonly records: readonly DifcFilteredFields[];
      /** The `[Filtered]` text to append to the result; null when nothing was filtered. */
      readonly notice: string | null;
    };

/** Checks every item of a labelled response against the agent with the call's operation and mode. */
export function filterCollection(collection: LabeledCollection, agent: AgentLabels, context: FilterContext): FilterOutcome {
  const kept: LabeledItem[] = [];
  const filtered: FilteredItem[] = [];
  const flows = new CachedFlows(agent);
  // Items mostly share a few labels objects (labelResponse hands them out so): one evaluation each.
  const evaluations = new Map<ResourceLabels, Evaluation>();
  for (const item of collection.items) {
    const evaluation = evaluations.get(item.labels) ?? remember(evaluations, item.labels, evaluateWith(flows, item.labels, context.operation, context.mode));
    if (isAllowed(evaluation)) {
      kept.push(item);
    } else {
      filtered.push({
        item,
        description: item.labels.description,
        reason: evaluation.reason,
        isSecrecyViolation: evaluation.secrecyToAdd.length > 0,
      });
    }
  }
  const total = collection.items.length;
  if (shouldBlockFilteredResponse(context.mode, filtered.length)) {
    return {
      kind: "blocked",
      error: `DIFC policy violation: ${filtered.length} of ${total} items in response are not accessible to agent ${context.agentId}`,
      filtered,
    };
  }
  const records = filtered.map((entry) => difcFilteredFields(context, entry.item, entry.reason));
  const only = filtered[0];
  if (isSingularReadTool(context.toolName) && kept.length === 0 && filtered.length === 1 && only !== undefined) {
    return { kind: "single-item-denied", error: singleItemDeniedError(only), filtered, records };
  }
  return { kind: "filtered", kept, filtered, records, notice: filteredNotice(filtered) };
}
