// The live view's face: the decision log the gateway reports to (an observer of events alone) and
// what /ui shows from it and from the servers and agents.
export { DecisionLog, type DecisionRow } from "./decision-log.ts";
export { LiveView } from "./live-view.ts";
export type { AgentView, BudgetView, LiveSnapshot, LiveState, LiveUpdate, LiveViewSources, ServerView } from "./live-view.ts";
