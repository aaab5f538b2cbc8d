import type { ServerResponse } from "node:http";
import { ErrorCode, type JSONRPCMessage, type RequestId } from "@modelcontextprotocol/sdk/types.js";
import { AGENT_LIMIT_REACHED, AGENT_LIMIT_RETRY_AFTER_S } from "../../backends/index.ts";
import { sendJson } from "./json-response.ts";

/** How often an idle SSE stream gets a comment line, so proxies and idle timers keep it open (the SDK's default). */
export const SSE_KEEPALIVE_MS = 15_000;

const SSE_HEADERS = { "Content-Type": "text/event-stream", "Cache-Control": "no-cache, no-transform", Connection: "keep-alive" };

/** Writes the head of an SSE response and keeps it alive with comment lines until it closes. */
export function openEventStream(res: ServerResponse, headers: Record<string, string>, keepAliveMs: number): void {
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  res.flushHeaders();
  const keepalive = setInterval(() => {
    if (res.writableEnded || res.destroyed) clearInterval(keepalive);
    else res.write(": keepalive\n\n");
  }, keepAliveMs);
  keepalive.unref();
  res.once("close", () => clearInterval(keepalive));
}

export function sseEvent(message: JSONRPCMessage): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}

/**
 * The HTTP reply to one POST carrying JSON-RPC requests. It stays a plain `application/json`
 * answer (the response, or the batch's array of responses) unless something must reach the
 * client before the last response: a notification or server→client request related to one of
 * the POST's requests, or a keep-alive for a call still running after `keepAliveMs`. Then it
 * turns into an SSE stream, writes what it holds and everything after as events, and ends after
 * the last response.
 */
export class PostReply {
  readonly #res: ServerResponse;
  readonly #headers: Record<string, string>;
  readonly #requestIds: readonly RequestId[];
  readonly #responses = new Map<RequestId, JSONRPCMessage>();
  /** Answers the transport gave at once, without dispatching their requests (an id already in flight). */
  readonly #refused: readonly JSONRPCMessage[];
  readonly #keepAliveMs: number;
  #streaming = false;
  readonly #slowCallTimer: NodeJS.Timeout;

  constructor(
    res: ServerResponse,
    requestIds: readonly RequestId[],
    headers: Record<string, string>,
    keepAliveMs: number,
    refused: readonly JSONRPCMessage[] = [],
  ) {
    this.#res = res;
    this.#requestIds = requestIds;
    this.#refused = refused;
    this.#headers = headers;
    this.#keepAliveMs = keepAliveMs;
    this.#slowCallTimer = setTimeout(() => this.#stream(), keepAliveMs);
    this.#slowCallTimer.unref();
    res.once("close", () => clearTimeout(this.#slowCallTimer));
    if (requestIds.length === 0) this.#endWithJson();
  }

  /** False once the reply is complete or the client went away: later messages are dropped. */
  get open(): boolean {
    return !this.#res.writableEnded && !this.#res.destroyed;
  }

  /** A notification or request for the client, sent on behalf of one of this POST's requests. */
  relay(message: JSONRPCMessage): void {
    if (!this.open) return;
    this.#stream();
    this.#res.write(sseEvent(message));
  }

  /** The response to request `id` of this POST. */
  answer(id: RequestId, response: JSONRPCMessage): void {
    if (!this.open) return;
    this.#responses.set(id, response);
    const complete = this.#responses.size === this.#requestIds.length;
    if (this.#streaming) {
      if (complete) this.#res.end(sseEvent(response));
      else this.#res.write(sseEvent(response));
    } else if (complete) {
      this.#endWithJson();
    }
  }

  /** Ends the reply now (the session is closing): requests not answered yet get an error. */
  abandon(reason: string): void {
    for (const id of this.#requestIds) {
      if (!this.#responses.has(id)) this.answer(id, { jsonrpc: "2.0", id, error: { code: ErrorCode.ConnectionClosed, message: reason } });
    }
  }

  #stream(): void {
    if (this.#streaming || !this.open) return;
    this.#streaming = true;
    clearTimeout(this.#slowCallTimer);
    openEventStream(this.#res, this.#headers, this.#keepAliveMs);
    for (const response of [...this.#refused, ...this.#responses.values()]) this.#res.write(sseEvent(response));
  }

  #endWithJson(): void {
    clearTimeout(this.#slowCallTimer);
    const all = [...this.#requestIds.map((id) => this.#responses.get(id)), ...this.#refused];
    // Refused only because the server serves its most agents: a load refusal, which HTTP clients
    // and proxies know how to wait out.
    const overloaded = all.every((response) => response !== undefined && "error" in response && response.error.code === AGENT_LIMIT_REACHED);
    if (overloaded) sendJson(this.#res, 503, all.length === 1 ? all[0] : all, { ...this.#headers, "Retry-After": String(AGENT_LIMIT_RETRY_AFTER_S) });
    else sendJson(this.#res, 200, all.length === 1 ? all[0] : all, this.#headers);
  }
}
