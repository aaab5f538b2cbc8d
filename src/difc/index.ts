/**
 * The DIFC engine: labels, the evaluator, agent state, response labelling and filtering, and
 * guard policies. Pure: no I/O, no timers, no globals; it imports nothing else of flowgate's.
 *
 * Typical call sequence for one tools/call (the enforce layer):
 *   policy → parseGuardPolicy / labelAgentPayload → guard label_agent → store.addLabels
 *   consumeToolCall → guard label_resource → evaluateCoarseAccess (denied → formatViolationError)
 *   backend → shouldCallLabelResponse → guard label_response → labelResponse → enforceResponse
 *   → result / error, difc_filtered records, store.accumulateFromRead(absorb)
 */
export * from "./labels.ts";
export { checkIntegrityFlow, checkSecrecyFlow, type FlowCheck } from "./flow.ts";
export { formatIntegrityLevel, formatSecrecyLevel } from "./format.ts";
export { evaluate, isAllowed, type Decision, type Evaluation } from "./evaluator.ts";
export { formatViolationError } from "./violation-text.ts";
export { parseEvaluationRequest, type EvaluationRequest } from "./evaluation-request.ts";
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
  STATE_UNAVAILABLE,
  StateUnavailableError,
  accumulateFromRead,
  addLabels,
  reflectSnapshot,
  type AgentStore,
  type ReflectSnapshot,
} from "./agent-store.ts";
export { ResponseLabelingError, labelResponse, unwrapToolResult, type LabeledCollection, type LabeledItem } from "./labeled-response.ts";
// The proxy puts the visible items back where label_response said the collection lies.
export { pointerSegments } from "./json-pointer.ts";
export { filterCollection, type FilterContext, type FilterOutcome, type FilteredItem } from "./filter.ts";
export { difcPolicyLabel, filteredNotice, singleItemDeniedError, type FilteredItemSummary } from "./notice.ts";
export { DIFC_FILTERED_SCHEMA, difcFilteredFields, difcFilteredJson, difcFilteredLogMessage, type DifcFilteredFields } from "./filtered-record.ts";
export { collectionResult, enforceResponse, overallLabels, type ResponseInput, type ResponseOutcome, type ToolResultJson } from "./response.ts";
export {
  accessDeniedLogMessage,
  guardInitFailedError,
  guardLabelingFailedError,
  responseLabelingFailedError,
  strictBlockLogMessage,
} from "./pipeline-errors.ts";

// Guard policies (difc.md §7, guard-abi.md §3.2–§3.3).
export { PolicyError } from "./policy/policy-error.ts";
export { INTEGRITY_LEVELS, parseIntegrityLevel, type IntegrityLevel } from "./policy/integrity-level.ts";
export { isValidRepoScope, privateScopeTag } from "./policy/repo-scope.ts";
export { parseAllowOnly, type AllowOnlyPolicy } from "./policy/allow-only.ts";
export { parseSinkVisibility, parseWriteSink, type SinkVisibility, type WriteSinkPolicy } from "./policy/write-sink.ts";
export { parseGuardPolicy, parseServerGuardPolicy, resolveGuardPolicy, type GuardPolicy } from "./policy/guard-policy.ts";
export { allowOnlyToJson, guardPolicyToJson } from "./policy/policy-json.ts";
export { forcePublicGlobalPolicy, forcePublicServerPolicy } from "./policy/force-public-repos.ts";
export { consumeToolCall, toolCallLimitText } from "./policy/tool-call-limits.ts";
export { defaultEnforcementMode, parseEnforcementMode, parseSinkServerIds } from "./policy/modes.ts";
export { labelAgentPayload, type LabelAgentExtras } from "./policy/label-agent-payload.ts";
export { acceptForRepos, effectiveSinkVisibility } from "./policy/sink-rules.ts";
export { allowOnlyFromScopeFlags, parseGuardPolicyJson, type AllowOnlyScopeFlags } from "./policy/overrides.ts";
export { parseTrustedBots, parseTrustedBotsFlag } from "./policy/trusted-bots.ts";
