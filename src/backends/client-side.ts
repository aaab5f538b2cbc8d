import type { ClientCapabilities, Notification, Request, Result } from "@modelcontextprotocol/sdk/types.js";

/**
 * The agent's side of a backend connection: what the gateway advertises to the backend on the
 * agent's behalf, and where backend-to-client traffic (sampling, elicitation, roots requests;
 * log, progress and list-changed notifications) goes. Each MCP session supplies its own; the
 * agent's sessions that share a connection are joined by SharedBackendSessions.
 */
export interface ClientSide {
  capabilities: ClientCapabilities;
  request(request: Request, signal: AbortSignal): Promise<Result>;
  notify(notification: Notification): Promise<void>;
  /** Whether the agent holds secrecy tags now (its backend's stderr may echo what it sent); never, unless given. */
  agentHoldsSecrets?(): Promise<boolean>;
}
