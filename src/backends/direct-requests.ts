// Requests to a backend outside the SDK's Protocol, for the one an agent sends over and over
// (tools/call): written straight on the connection's transport, and their answers taken off it by
// id before the Protocol sees them. The Protocol would parse each answer with zod three times more
// (it is already valid: the transport checked it), and set a timer and a listener for a deadline
// the session keeps anyway. Everything else (initialize, lists, ping, the backend's own requests
// and notifications, answers to the Protocol's requests) still goes through the Protocol.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { safeParse } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCResultResponse,
  McpError,
  RELATED_TASK_META_KEY,
  ResultSchema,
  type JSONRPCMessage,
  type Result,
} from "@modelcontextprotocol/sdk/types.js";
import { isObject } from "../shared/index.ts";
import { isPlainResult, isPlainResultResponse } from "./message-reader.ts";

/**
 * Whether a tools/call with these params needs the SDK's Protocol: its progress notifications and
 * its tasks are the Protocol's bookkeeping, on the agent's side and the backend's alike. Any
 * other tools/call may go outside it (here, and src/gateway/sessions/fast-tools-call.ts).
 */
export function needsProtocolBookkeeping(params: Record<string, unknown>): boolean {
  if (params["task"] !== undefined) return true;
  const meta = params["_meta"];
  return meta !== undefined && (!isObject(meta) || meta["progressToken"] !== undefined || meta[RELATED_TASK_META_KEY] !== undefined);
}

/** How an answer ends a call: its result, or the error it was answered with (or failed of). */
type Settle = (answer: { result: unknown } | Error) => void;

/** A connection's client's requests written by the gateway itself; see attachDirectRequests. */
export interface DirectRequests {
  /**
   * Sends `method` with `params` and resolves with the result, as the client's `request(…,
   * ResultSchema, { signal })` would: the same id from the same counter (so the same bytes on the
   * wire), the same errors, and on abort the same notifications/cancelled and rejection.
   */
  request(method: string, params: Record<string, unknown> | undefined, signal: AbortSignal): Promise<Result>;
}

/** The Protocol's fields read here; private in the SDK's types, so their presence is checked at attach. */
interface ProtocolInternals {
  _requestMessageId: number;
}

/**
 * Routes answers to the gateway's own requests on `client`'s transport to them, ahead of the
 * Protocol; any other message (an answer with an id not the gateway's included) still reaches it.
 * Call once the client is connected.
 */
export function attachDirectRequests(client: Client): DirectRequests {
  const internals = client as unknown as Partial<ProtocolInternals>;
  if (typeof internals._requestMessageId !== "number") {
    throw new Error("the SDK's Protocol has no _requestMessageId counter: the SDK changed; update src/backends/direct-requests.ts");
  }
  const transport = client.transport;
  if (!transport) throw new Error("attachDirectRequests needs a connected client");
  const protocol = internals as ProtocolInternals;
  const pending = new Map<number, Settle>();
  interceptAnswers(transport, pending);

  return {
    request(method, params, signal) {
      return new Promise<Result>((resolve, reject) => {
        // In the order the Protocol checks them, with the same errors.
        const current = client.transport;
        if (!current) {
          reject(new Error("Not connected"));
          return;
        }
        signal.throwIfAborted();
        const id = protocol._requestMessageId++;
        const cancel = () => {
          pending.delete(id);
          const reason: unknown = signal.reason;
          current
            .send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id, reason: String(reason) } })
            .catch((error: unknown) => client.onerror?.(new Error(`Failed to send cancellation: ${String(error)}`)));
          reject(reason instanceof McpError ? reason : new McpError(ErrorCode.RequestTimeout, String(reason)));
        };
        pending.set(id, (answer) => {
          signal.removeEventListener("abort", cancel);
          if (answer instanceof Error) reject(answer);
          else settleResult(answer.result, resolve, reject);
        });
        signal.addEventListener("abort", cancel, { once: true });
        // Built as the Protocol builds it, member for member, so it serialises to the same bytes.
        current.send({ method, params, jsonrpc: "2.0", id } as JSONRPCMessage).catch((error: unknown) => {
          if (!pending.delete(id)) return;
          signal.removeEventListener("abort", cancel);
          reject(error);
        });
      });
    },
  };
}

/** Puts the gateway's answers ahead of the Protocol's handlers on `transport`, and fails them when it closes. */
function interceptAnswers(transport: Transport, pending: Map<number, Settle>): void {
  const toProtocol = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if (pending.size > 0 && "id" in message) {
      const settle = pending.get(Number(message.id));
      // The Protocol's test for an answer, made only for answers the gateway waits for.
      if (settle && (isPlainResultResponse(message) || isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message))) {
        pending.delete(Number(message.id));
        settle("result" in message ? { result: message.result } : McpError.fromError(message.error.code, message.error.message, message.error.data));
        return;
      }
    }
    toProtocol?.(message, extra);
  };
  const protocolClosed = transport.onclose;
  transport.onclose = () => {
    // After the Protocol's own handler, which forgets the transport first: the session reads a
    // call failed with ConnectionClosed and no transport left as a backend gone.
    protocolClosed?.();
    const calls = [...pending.values()];
    pending.clear();
    for (const settle of calls) settle(new McpError(ErrorCode.ConnectionClosed, "Connection closed"));
  };
}

/**
 * `result` as the Protocol's `ResultSchema` parse gives it: an object without `_meta` is what that
 * parse copies member for member; anything else is parsed, to fail or order its members as it does.
 */
function settleResult(result: unknown, resolve: (result: Result) => void, reject: (error: unknown) => void): void {
  if (isPlainResult(result)) {
    resolve(result);
    return;
  }
  const parsed = safeParse(ResultSchema, result);
  if (parsed.success) resolve(parsed.data as Result);
  else reject(parsed.error);
}
