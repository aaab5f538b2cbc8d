// The backends layer's face: connections to the configured MCP servers, as the gateway uses them.
export { toolAllowed } from "./allow-list.ts";
export { Backend } from "./backend.ts";
export { needsProtocolBookkeeping } from "./direct-requests.ts";
export type { EarlyProcess } from "./early-process.ts";
export { AGENT_LIMIT_REACHED, AGENT_LIMIT_RETRY_AFTER_S } from "./errors.ts";
export { collectPages } from "./paginate.ts";
export { detectRateLimit } from "./rate-limit.ts";
export { sharedSchemaValidator } from "./schema-validator.ts";
export type { BackendSession, CallOptions } from "./session.ts";
export { SharedBackendSessions } from "./shared-sessions.ts";
export type { JoinedBackend, SessionSide } from "./shared-sessions.ts";
