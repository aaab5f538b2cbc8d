import type { ClientCapabilities, Notification, Request, Result } from "@modelcontextprotocol/sdk/types.js";

/**
 * The agent's side of a backend connection: what the gateway advertises to the backend on the
 * agent's behalf, and where backend-to-client traffic (sampling, elicitation, roots requests;
 * log, progress and list-changed notifications) goes. Each agent session supplies its own, which
 * is why backend connections are per session.
 */
export interface ClientSide {
  capabilities: ClientCapabilities;
  request(request: Request, signal: AbortSignal): Promise<Result>;
  notify(notification: Notification): Promise<void>;
}
