// The forward chain's face: the chain itself and the steps that wrap every forwarded request.
export { circuitBreakerMiddleware } from "./circuit-breaker.ts";
export type { BreakerBoard } from "./circuit-breaker.ts";
export { enforcementMiddleware, enforcementReplyCheck } from "./enforcement.ts";
export { buildForward } from "./forward.ts";
export type { Forward, ForwardMiddleware, ReplyCheck } from "./forward.ts";
export { observedBackendCall, observedCall } from "./observe.ts";
export { resultUrlAudit, writeSinkUrlAudit } from "./url-audit.ts";
