// Result post-processing's face: the steps of the forward chain that rewrite a tool's result
// after enforcement (the response filter, the large-payload spill).
export { spillStep } from "./large-payload.ts";
export { ResponseFilters, responseFilterStep } from "./response-filter.ts";
