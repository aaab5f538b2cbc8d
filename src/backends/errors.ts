// Errors a backend call can end with, as JSON-RPC error codes the MCP Gateway Specification
// (Appendix C) names, so an agent can tell "unavailable" from "timed out" from the backend's own
// error without parsing text.
import { CodedError } from "../shared/index.ts";

export const BACKEND_UNAVAILABLE = -32001;
export const BACKEND_TIMEOUT = -32002;
/** The server already serves as many agents as the gateway allows (HTTP 503 with Retry-After); next to -32040, the other "retry later". */
export const AGENT_LIMIT_REACHED = -32041;
/** How long an agent refused with AGENT_LIMIT_REACHED is told to wait: a place frees only when another agent's sessions all close. */
export const AGENT_LIMIT_RETRY_AFTER_S = 30;

/** Thrown out of a forwarded call; the MCP server layer sends `code`, `message` and `data` as is. */
export class BackendError extends CodedError {
  readonly data: { server: string; detail: string };
  constructor(code: number, serverId: string, message: string) {
    super(code, message);
    this.data = { server: serverId, detail: message };
  }
}
