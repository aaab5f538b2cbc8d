import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { isJSONRPCRequest, type JSONRPCMessage, type JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import { isObject } from "../shared/index.ts";
import { errorAnswer, type RefusedMessage } from "./bad-message.ts";
import { schemaChecked } from "./message-reader.ts";

// Ids on the wire come from one process-wide counter, as in the reference; the SDK's own ids are
// per client and are put back on each reply.
let nextWireId = 1;

interface Exchange {
  reply: JSONRPCMessage;
  sessionLost: boolean;
}

/**
 * The reference's last-resort HTTP transport: each request is one POST answered by one JSON (or
 * single-event SSE) body. No notifications are sent (not even notifications/initialized) and the
 * server can send nothing of its own. `initialize` goes without a session header and the
 * Mcp-Session-Id it returns is sent on every later request; a 404 "session not found" re-sends the
 * original initialize once and retries. An answer that is neither a result nor an error fails its
 * request with what was wrong, told to `onRefused` (which returns the error's text).
 */
export class PlainJsonRpcTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  sessionId?: string;
  readonly #url: URL;
  readonly #headers: Record<string, string>;
  readonly #abort = new AbortController();
  readonly #onRefused: (refused: RefusedMessage) => string;
  #initialize: JSONRPCRequest | undefined;
  #closed = false;

  constructor(url: URL, headers: Record<string, string>, onRefused: (refused: RefusedMessage) => string = (refused) => refused.description) {
    this.#url = url;
    this.#headers = headers;
    this.#onRefused = onRefused;
  }

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) throw new Error("plain JSON-RPC transport is closed");
    if (!isJSONRPCRequest(message)) return;
    const initializing = message.method === "initialize";
    if (initializing) this.#initialize = message;
    let exchange = await this.#post(message, initializing);
    if (exchange.sessionLost && !initializing && this.#initialize) {
      await this.#reinitialize(this.#initialize);
      exchange = await this.#post(message, false);
    }
    this.onmessage?.(exchange.reply);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.onclose?.();
  }

  async #reinitialize(initialize: JSONRPCRequest): Promise<void> {
    const { reply } = await this.#post(initialize, true);
    if ("error" in reply) throw new Error(`re-initialising the session the server forgot failed: ${reply.error.message}`);
  }

  async #post(request: JSONRPCRequest, initializing: boolean): Promise<Exchange> {
    const headers = new Headers(this.#headers);
    headers.set("content-type", "application/json");
    headers.set("accept", "application/json, text/event-stream");
    if (!initializing && this.sessionId !== undefined) headers.set("mcp-session-id", this.sessionId);
    const response = await fetch(this.#url, {
      method: "POST",
      headers,
      body: JSON.stringify({ ...request, id: nextWireId++ }),
      signal: this.#abort.signal,
    });
    const body = await response.text();
    if (initializing) this.sessionId = response.headers.get("mcp-session-id") ?? this.sessionId;
    return {
      reply: replyFor(request, response, body, this.#onRefused),
      sessionLost: response.status === 404 && body.includes("session not found"),
    };
  }
}

/** The JSON-RPC reply to `request` that an HTTP response stands for. */
function replyFor(request: JSONRPCRequest, response: Response, body: string, onRefused: (refused: RefusedMessage) => string): JSONRPCMessage {
  const parsed = parseBody(body);
  const id = request.id;
  if (parsed && "error" in parsed && isErrorObject(parsed.error)) return { jsonrpc: "2.0", id, error: parsed.error };
  if (response.status !== 200) {
    return { jsonrpc: "2.0", id, error: { code: -32603, message: `HTTP ${response.status}: ${response.statusText}`, data: body } };
  }
  if (parsed && "result" in parsed && isObject(parsed.result)) return { jsonrpc: "2.0", id, result: parsed.result };
  // An error answer rather than a thrown one: the session would take a failed send for a broken
  // connection and close it, failing the calls beside this one.
  return errorAnswer(id, onRefused({ ...plainRefusal(parsed), answers: id }));
}

/** What is wrong with an answer this transport cannot take: the schema's words, when it refuses it too. */
function plainRefusal(parsed: Record<string, unknown> | undefined): Omit<RefusedMessage, "answers"> {
  const plain = (text: string) => ({ description: text, logged: text });
  if (parsed === undefined) return plain("a body that holds no JSON object (neither as JSON nor as an SSE data line)");
  const { refused } = schemaChecked(parsed);
  if (refused) return refused;
  return plain("an answer with neither a result object nor an error object");
}

/** A JSON body, or else the first `data:` line of an SSE body; undefined when neither is a JSON object. */
function parseBody(body: string): Record<string, unknown> | undefined {
  const dataLine = body.split(/\r?\n/).find((line) => line.startsWith("data:"));
  return parseObject(body) ?? (dataLine === undefined ? undefined : parseObject(dataLine.slice("data:".length)));
}

function parseObject(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isErrorObject(value: unknown): value is { code: number; message: string; data?: unknown } {
  return isObject(value) && typeof value.code === "number" && typeof value.message === "string";
}
