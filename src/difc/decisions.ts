import { evaluate, isAllowed, type Evaluation } from "./evaluator.ts";
import type { AgentLabels, EnforcementMode, Operation, ResourceLabels } from "./labels.ts";

/**
 * The coarse check before the backend is called. A denied read is not refused yet: the backend
 * is asked and the response filtered per item, because some of its items may be readable.
 */
export type CoarseOutcome =
  | { readonly kind: "allowed"; readonly evaluation: Evaluation }
  | { readonly kind: "bypass-for-read"; readonly evaluation: Evaluation }
  | { readonly kind: "denied"; readonly evaluation: Evaluation };

export function evaluateCoarseAccess(agent: AgentLabels, resource: ResourceLabels, operation: Operation, mode: EnforcementMode): CoarseOutcome {
  const evaluation = evaluate(agent, resource, operation, mode);
  if (isAllowed(evaluation)) return { kind: "allowed", evaluation };
  return operation === "read" ? { kind: "bypass-for-read", evaluation } : { kind: "denied", evaluation };
}

/** Strict read-write calls are fully decided by the coarse check; writes have no response to label. */
export function shouldCallLabelResponse(operation: Operation, mode: EnforcementMode): boolean {
  if (operation === "write") return false;
  return operation === "read" || mode !== "strict";
}

export function shouldBlockFilteredResponse(mode: EnforcementMode, filteredCount: number): boolean {
  return mode === "strict" && filteredCount > 0;
}

export function shouldAccumulateReadLabels(operation: Operation, mode: EnforcementMode): boolean {
  return operation !== "write" && mode === "propagate";
}

/** Tools that fetch one thing: when that one thing is filtered, the call fails instead of returning `[]`. */
export function isSingularReadTool(toolName: string): boolean {
  return !toolName.startsWith("list_") && !toolName.startsWith("search_");
}
