/**
 * The DIFC engine: labels, the evaluator, agent state, response labelling and filtering, and
 * guard policies. Pure: no I/O, no timers, no globals; it imports nothing else of flowgate's.
 *
 * Typical call sequence for one tools/call (the enforce layer):
 *   policy → parseGuardPolicy / labelAgentPayload → guard label_agent → parseLabelAgentResult → store.addLabels
 *   consumeToolCall → guard label_resource → evaluateCoarseAccess (denied → formatViolationError)
 *   backend → shouldCallLabelResponse → guard label_response → labelResponse → enforceResponse
 *   → result / error, difc_filtered records, store.accumulateFromRead(absorb)
 */
export * from "./labels.ts";
export { checkIntegrityFlow, checkSecrecyFlow, type FlowCheck } from "./flow.ts";
export { formatIntegrityLevel, formatSecrecyLevel } from "./format.ts";
export { evaluate, isAllowed, type Decision, type Evaluation } from "./evaluator.ts";
export { formatViolationError } from "./violation-text.ts";
export {
  evaluateCoarseAccess,
  isSingularReadTool,
  shouldAccumulateReadLabels,
  shouldBlockFilteredResponse,
  shouldCallLabelResponse,
  type CoarseOutcome,
} from "./decisions.ts";
export {
  InMemoryAgentStore,
  accumulateFromRead,
  addLabels,
  reflectSnapshot,
  type AgentStore,
  type ReflectSnapshot,
} from "./agent-store.ts";
export {
  ResponseLabelingError,
  labelResponse,
  unwrapToolResult,
  type LabeledCollection,
  type LabeledItem,
} from "./labeled-response.ts";
export { filterCollection, type FilterContext, type FilterOutcome, type FilteredItem } from "./filter.ts";
export { difcPolicyLabel, filteredNotice, singleItemDeniedError, type FilteredItemSummary } from "./notice.ts";
export { DIFC_FILTERED_SCHEMA, difcFilteredFields, type DifcFilteredFields } from "./filtered-record.ts";
export {
  collectionResult,
  enforceResponse,
  overallLabels,
  type ResponseInput,
  type ResponseOutcome,
  type ToolResultJson,
} from "./response.ts";
