// The tools/call fast path: the one request an agent sends over and over skips the SDK's Protocol
// (a zod parse of the envelope, a second one of the params, the handler's bookkeeping). The
// transport hands over a call of the plain shape checked here; the session runs the same handler
// the SDK path registers, through the same forward chain, and answers on the same PostReply.
// Anything else, a malformed call included, takes the SDK path, so every error reads as before.
import { ErrorCode, McpError, type JSONRPCErrorResponse, type RequestId } from "@modelcontextprotocol/sdk/types.js";
import { needsProtocolBookkeeping } from "../../backends/index.ts";
import { isObject } from "../../shared/index.ts";

/** A tools/call the SDK's schemas would accept, with the params its handler receives. */
export interface PlainToolCall {
  jsonrpc: "2.0";
  id: RequestId;
  method: "tools/call";
  params: { _meta?: Record<string, unknown>; name: string; arguments?: Record<string, unknown> };
}

/** The members JSON-RPC's request schema allows (it is strict: any other makes the message invalid). */
const ENVELOPE = new Set(["jsonrpc", "id", "method", "params"]);

/**
 * `raw` as a tools/call the fast path can answer byte for byte as the SDK path would; undefined
 * for anything else. Left to the SDK: invalid envelopes and params (their error messages are
 * zod's), progress tokens and tasks (progress is relayed by the SDK's request bookkeeping, tasks
 * are refused by it).
 */
export function plainToolCall(raw: unknown): PlainToolCall | undefined {
  if (!isObject(raw) || raw["method"] !== "tools/call" || raw["jsonrpc"] !== "2.0") return undefined;
  for (const key in raw) if (!ENVELOPE.has(key)) return undefined;
  const { id, params } = raw;
  if (typeof id !== "string" && !Number.isSafeInteger(id)) return undefined;
  if (!isObject(params) || typeof params["name"] !== "string" || needsProtocolBookkeeping(params)) return undefined;
  const args = params["arguments"];
  if (args !== undefined && !isObject(args)) return undefined;
  const meta = params["_meta"] as Record<string, unknown> | undefined;
  // The SDK's params schema drops members it does not know; so does this, in its order.
  return {
    jsonrpc: "2.0",
    id: id as RequestId,
    method: "tools/call",
    params: { ...(meta === undefined ? {} : { _meta: meta }), name: params["name"], ...(args === undefined ? {} : { arguments: args }) },
  };
}

/** A failed call's answer, built as the SDK's Protocol builds it, so both paths answer alike. */
export function errorResponse(id: RequestId, error: unknown): JSONRPCErrorResponse {
  const { code, message, data } = (error ?? {}) as { code?: unknown; message?: string; data?: unknown };
  return {
    jsonrpc: "2.0",
    id,
    error: {
      code: Number.isSafeInteger(code) ? (code as number) : ErrorCode.InternalError,
      message: message ?? "Internal error",
      ...(data !== undefined ? { data } : {}),
    },
  };
}

/** What the SDK's `sendRequest` throws once the agent cancelled the call. */
export function cancelledError(): McpError {
  return new McpError(ErrorCode.ConnectionClosed, "Request was cancelled");
}
