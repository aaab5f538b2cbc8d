// Sessions and modes' face: the MCP endpoints of a mode and the agent sessions they create.
export type { AgentIdentity, AgentSession, SessionEnvironment } from "./agent-session.ts";
export { mcpEndpoints } from "./endpoints.ts";
export type { McpEndpoint } from "./endpoints.ts";
export { plainToolCall } from "./fast-tools-call.ts";
export type { PlainToolCall } from "./fast-tools-call.ts";
