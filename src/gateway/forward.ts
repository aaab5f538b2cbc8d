import type { Result } from "@modelcontextprotocol/sdk/types.js";
import type { BackendSession, CallOptions } from "../backends/session.ts";

/**
 * One request on its way from an agent to a backend. Every forwarded call passes through a
 * `Forward`, so the enforcement pipeline (guards and DIFC) can wrap the methods it labels
 * (tools/call, resources/read, prompts/get) in one place by adding a middleware.
 */
export interface ForwardRequest {
  serverId: string;
  /** The backend's own method and params: names and URIs are already unqualified. */
  method: string;
  params: Record<string, unknown> | undefined;
  /** The digest of the credential the session authenticated with: it keys all DIFC state (labels, budgets). */
  agentId: string;
  backend: BackendSession;
  signal: AbortSignal;
  /** Set by the enforcement middleware for `--guards-sink-server-ids` servers: logged with the exchange. */
  agentLabels?: { secrecy: string[]; integrity: string[] };
  /** Set by the enforcement middleware: where the exchange is logged, its payloads marked when they may be secret. */
  rpcLog?: CallOptions["rpcLog"];
  /** The params' `cursor` is one this backend handed out to the session in a list result: the backend's data, not the agent's. */
  cursorFromBackend?: boolean;
}

/** The agent's answer to a backend's request (sampling, elicitation, roots), before it goes back to the backend. */
export interface AgentReply {
  serverId: string;
  /** The backend's request method the agent answered. */
  method: string;
  result: Result;
  agentId: string;
  backend: BackendSession;
  signal: AbortSignal;
}

/** Lets a reply through by resolving, or refuses it by throwing: the backend then gets the error instead. */
export type ReplyCheck = (reply: AgentReply) => Promise<void>;

export type Forward = (request: ForwardRequest) => Promise<Result>;
export type ForwardMiddleware = (next: Forward) => Forward;

const toBackend: Forward = (request) =>
  request.backend.request(request.method, request.params, {
    signal: request.signal,
    ...(request.agentLabels ? { agentLabels: request.agentLabels } : {}),
    ...(request.rpcLog ? { rpcLog: request.rpcLog } : {}),
  });

/** The backend call wrapped by `middleware`, the first one outermost. */
export function buildForward(middleware: readonly ForwardMiddleware[]): Forward {
  return middleware.reduceRight<Forward>((next, wrap) => wrap(next), toBackend);
}
