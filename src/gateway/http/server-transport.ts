import type { IncomingMessage, ServerResponse } from "node:http";
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  ErrorCode,
  isInitializeRequest,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type JSONRPCErrorResponse,
  type JSONRPCRequest,
  type JSONRPCResultResponse,
  type MessageExtraInfo,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import { DEFAULT_LIMITS } from "../../config/index.ts";
import { MAX_JSON_NESTING, nestsDeeperThan } from "../../shared/index.ts";
import { plainToolCall, type PlainToolCall } from "../sessions/index.ts";
import { sendRpcError } from "./json-response.ts";
import { openEventStream, PostReply, SSE_KEEPALIVE_MS, sseEvent } from "./post-reply.ts";

const MAX_BATCH_MESSAGES = 100;
/** The JSON-RPC codes the SDK's transport answers HTTP-level refusals with. */
const SERVER_ERROR = -32000;
const SESSION_NOT_FOUND = -32001;

export interface HttpServerTransportOptions {
  sessionIdGenerator: () => string;
  /** Called once `initialize` has created the session, before the request reaches the server. */
  onsessioninitialized?: (sessionId: string) => void | Promise<void>;
  /** How long an SSE stream, or a POST still unanswered, may stay silent before a keep-alive; SSE_KEEPALIVE_MS by default. */
  keepAliveMs?: number;
  /** Request bodies above this many bytes are refused with 413 (--max-message-size; its default unless given). */
  maxBodyBytes?: number;
}

export interface HandleOptions {
  /**
   * The gateway opened this session itself for a client that sent no Mcp-Session-Id (auto-init):
   * the request belongs to it without naming it.
   */
  sessionImplied?: boolean;
}

/** A body, or the HTTP status and JSON-RPC error code to refuse it with. */
export type BodyResult = { ok: true; text: string } | { ok: false; status: 400 | 413; code: number; message: string };

/**
 * The server side of MCP's streamable HTTP transport, written directly on node:http for one
 * session. A POST carrying requests is answered with plain JSON unless something related to its
 * requests must be streamed first (see PostReply); GET opens the session's standalone SSE stream;
 * DELETE ends the session.
 *
 * There is no resumability (no event store, no Last-Event-ID replay): flowgate never configured
 * one, so a dropped stream loses what was still to come on it, as with the SDK's default.
 */
export class HttpServerTransport implements Transport {
  sessionId?: string;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** Takes a plain tools/call past the SDK's Protocol (the session's fast path); unset, every message goes to onmessage. */
  ontoolcall?: (call: PlainToolCall, extra: MessageExtraInfo) => void;

  readonly #sessionIdGenerator: () => string;
  readonly #onsessioninitialized?: (sessionId: string) => void | Promise<void>;
  readonly #keepAliveMs: number;
  readonly #maxBodyBytes: number;
  /** The POST each request in progress arrived on, by request id: its response and related messages go there. */
  readonly #replies = new Map<RequestId, PostReply>();
  #standalone?: ServerResponse;
  #started = false;
  #closed = false;

  constructor(options: HttpServerTransportOptions) {
    this.#sessionIdGenerator = options.sessionIdGenerator;
    this.#onsessioninitialized = options.onsessioninitialized;
    this.#keepAliveMs = options.keepAliveMs ?? SSE_KEEPALIVE_MS;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_LIMITS.maxMessageBytes;
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error("HttpServerTransport already started");
    this.#started = true;
  }

  /** Answers one HTTP request of this session; resolves once the response is over (or the client left). */
  async handleRequest(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown, options: HandleOptions = {}): Promise<void> {
    const over = new Promise((resolve) => res.once("close", resolve));
    if (this.#closed) sendRpcError(res, 404, SESSION_NOT_FOUND, "Session not found");
    else if (req.method === "POST") await this.#handlePost(req, res, parsedBody, options);
    else if (req.method === "GET") this.#handleGet(req, res);
    else if (req.method === "DELETE") await this.#handleDelete(req, res);
    else sendRpcError(res, 405, SERVER_ERROR, "Method not allowed.", { Allow: "GET, POST, DELETE" });
    await over;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isResponse(message)) {
      const id = message.id;
      const reply = id === undefined ? undefined : this.#replies.get(id);
      if (id === undefined || !reply) throw new Error(`No connection established for request ID: ${String(id)}`);
      this.#replies.delete(id);
      reply.answer(id, message);
      return;
    }
    const related = options?.relatedRequestId;
    if (related === undefined) {
      // Without a standalone stream open there is nowhere to deliver it (no event store to keep it).
      const stream = this.#standalone;
      if (stream && !stream.writableEnded) stream.write(sseEvent(message));
      return;
    }
    const reply = this.#replies.get(related);
    if (!reply) throw new Error(`No connection established for request ID: ${String(related)}`);
    reply.relay(message);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const reply of new Set(this.#replies.values())) reply.abandon("Connection closed: the MCP session ended before this request was answered");
    this.#replies.clear();
    this.#standalone?.end();
    this.#standalone = undefined;
    this.onclose?.();
  }

  async #handlePost(req: IncomingMessage, res: ServerResponse, parsedBody: unknown, options: HandleOptions): Promise<void> {
    if (!accepts(req.headers.accept, "application/json") || !accepts(req.headers.accept, "text/event-stream")) {
      return sendRpcError(res, 406, SERVER_ERROR, "Not Acceptable: Client must accept both application/json and text/event-stream");
    }
    if (!isJsonMediaType(req.headers["content-type"])) {
      return sendRpcError(res, 415, SERVER_ERROR, "Unsupported Media Type: Content-Type must be application/json");
    }
    let raw = parsedBody;
    if (raw === undefined) {
      const body = await readBody(req, this.#maxBodyBytes);
      if (!body.ok) return refuseBody(res, body);
      try {
        raw = JSON.parse(body.text);
      } catch {
        return sendRpcError(res, 400, ErrorCode.ParseError, "Parse error: Invalid JSON");
      }
    }
    if (nestsDeeperThan(raw, MAX_JSON_NESTING)) {
      const message = `Invalid params: the message nests arrays and objects more than ${MAX_JSON_NESTING} levels deep; send flatter arguments`;
      return sendRpcError(res, 400, ErrorCode.InvalidParams, message);
    }
    if (Array.isArray(raw) && raw.length === 0)
      return sendRpcError(res, 400, ErrorCode.InvalidRequest, "Invalid Request: a batch must hold at least one message");
    if (Array.isArray(raw) && raw.length > MAX_BATCH_MESSAGES) {
      return sendRpcError(res, 400, ErrorCode.InvalidRequest, `Invalid Request: Batch must not exceed ${MAX_BATCH_MESSAGES} messages`);
    }
    // A plain tools/call needs no schema parse: the fast path reads the few members it uses.
    const toolCall = this.ontoolcall ? plainToolCall(raw) : undefined;
    const messages = toolCall ? [toolCall] : parseMessages(raw);
    // Valid JSON that is not a JSON-RPC message (no method, no result or error) is an invalid request, not a parse error (JSON-RPC 2.0 §5.1).
    if (!messages)
      return sendRpcError(res, 400, ErrorCode.InvalidRequest, 'Invalid Request: not a JSON-RPC 2.0 message (a request needs "jsonrpc": "2.0" and a "method")');
    if (this.#closed) return sendRpcError(res, 404, SESSION_NOT_FOUND, "Session not found");

    if (messages.some((message) => isRequest(message) && message.method === "initialize" && isInitializeRequest(message))) {
      if (this.sessionId !== undefined) return sendRpcError(res, 400, ErrorCode.InvalidRequest, "Invalid Request: Server already initialized");
      if (messages.length > 1) return sendRpcError(res, 400, ErrorCode.InvalidRequest, "Invalid Request: Only one initialization request is allowed");
      this.sessionId = this.#sessionIdGenerator();
      await this.#onsessioninitialized?.(this.sessionId);
      if (this.#closed) return sendRpcError(res, 404, SESSION_NOT_FOUND, "Session not found");
    } else if (!this.#belongsToSession(req, res, options) || !this.#speaksSupportedVersion(req, res)) {
      return;
    }

    const extra: MessageExtraInfo = { requestInfo: { headers: req.headers } };
    // Responses find their POST by request id, so a second request with an id still in flight in
    // this session (or twice in one batch) would take over the first one's reply: it is refused.
    const requestIds: RequestId[] = [];
    const refused: JSONRPCErrorResponse[] = [];
    const dispatched: JSONRPCMessage[] = [];
    for (const message of messages) {
      if (!isRequest(message)) dispatched.push(message);
      else if (this.#replies.has(message.id) || requestIds.includes(message.id)) refused.push(idInFlight(message.id));
      else {
        requestIds.push(message.id);
        dispatched.push(message);
      }
    }
    if (requestIds.length === 0 && refused.length === 0) {
      res.writeHead(202).end();
      for (const message of dispatched) this.onmessage?.(message, extra);
      return;
    }
    const reply = new PostReply(res, requestIds, this.#sessionHeaders(), this.#keepAliveMs, refused);
    for (const id of requestIds) this.#replies.set(id, reply);
    for (const message of dispatched) {
      if (message === toolCall) this.ontoolcall?.(toolCall, extra);
      else this.onmessage?.(message, extra);
    }
  }

  #handleGet(req: IncomingMessage, res: ServerResponse): void {
    if (!accepts(req.headers.accept, "text/event-stream")) {
      return sendRpcError(res, 406, SERVER_ERROR, "Not Acceptable: Client must accept text/event-stream");
    }
    if (!this.#belongsToSession(req, res, {}) || !this.#speaksSupportedVersion(req, res)) return;
    if (this.#standalone) {
      return sendRpcError(res, 409, SERVER_ERROR, "Conflict: Only one SSE stream is allowed per session");
    }
    this.#standalone = res;
    res.once("close", () => {
      if (this.#standalone === res) this.#standalone = undefined;
    });
    openEventStream(res, this.#sessionHeaders(), this.#keepAliveMs);
  }

  async #handleDelete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#belongsToSession(req, res, {}) || !this.#speaksSupportedVersion(req, res)) return;
    res.writeHead(200).end();
    await this.close();
  }

  /** Whether the request belongs to this initialized session; when not, it has been answered with the refusal. */
  #belongsToSession(req: IncomingMessage, res: ServerResponse, options: HandleOptions): boolean {
    if (this.sessionId === undefined) {
      sendRpcError(res, 400, SERVER_ERROR, "Bad Request: Server not initialized");
      return false;
    }
    if (options.sessionImplied) return true;
    const claimed = req.headers["mcp-session-id"];
    if (claimed === undefined || claimed === "") {
      sendRpcError(res, 400, SERVER_ERROR, "Bad Request: Mcp-Session-Id header is required");
      return false;
    }
    if (claimed !== this.sessionId) {
      sendRpcError(res, 404, SESSION_NOT_FOUND, "Session not found");
      return false;
    }
    return true;
  }

  /** Whether the request names no protocol version or one the SDK speaks; when not, it has been answered 400. */
  #speaksSupportedVersion(req: IncomingMessage, res: ServerResponse): boolean {
    const version = req.headers["mcp-protocol-version"];
    if (version === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(String(version))) return true;
    sendRpcError(
      res,
      400,
      SERVER_ERROR,
      `Bad Request: Unsupported protocol version: ${String(version)} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`,
    );
    return false;
  }

  #sessionHeaders(): Record<string, string> {
    return this.sessionId === undefined ? {} : { "mcp-session-id": this.sessionId };
  }
}

function idInFlight(id: RequestId): JSONRPCErrorResponse {
  return {
    jsonrpc: "2.0",
    id,
    error: {
      code: ErrorCode.InvalidRequest,
      message: `Invalid Request: a request with id ${JSON.stringify(id)} is already in flight in this session; use a new id`,
    },
  };
}

/** Reads a request body as UTF-8 text, refusing one over `maxBytes` (however it is sent) without reading the rest. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const tooLarge: BodyResult = {
    ok: false,
    status: 413,
    code: SERVER_ERROR,
    message: `Payload Too Large: Request body must not exceed ${maxBytes} bytes (the gateway's --max-message-size)`,
  };
  if (Number(req.headers["content-length"]) > maxBytes) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Reading stops here. Destroying the request would reset the connection before the 413
        // is written; refuseBody's Connection: close makes Node close it once the 413 is out.
        req.off("data", onData);
        req.pause();
        chunks.length = 0;
        resolve(tooLarge);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve({ ok: true, text: Buffer.concat(chunks).toString("utf8") }));
    req.on("error", (error) =>
      resolve({ ok: false, status: 400, code: ErrorCode.ParseError, message: `Bad Request: the request body could not be read (${error.message})` }),
    );
  });
}

/** Answers a body readBody refused; after a 413 the connection is closed rather than the rest of the body read. */
export function refuseBody(res: ServerResponse, refusal: Extract<BodyResult, { ok: false }>): void {
  sendRpcError(res, refusal.status, refusal.code, refusal.message, refusal.status === 413 ? { Connection: "close" } : {});
}

/** For a message the schema already accepted, the shape alone tells a request (the SDK's guard parses it again). */
function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return "method" in message && "id" in message;
}

/** By shape, as isRequest: only the SDK's own Protocol sends, and zod's type guards cost a parse per message. */
function isResponse(message: JSONRPCMessage): message is JSONRPCResultResponse | JSONRPCErrorResponse {
  return "result" in message || "error" in message;
}

/** The body as JSON-RPC messages, or undefined when any element is not one. */
function parseMessages(raw: unknown): JSONRPCMessage[] | undefined {
  const messages: JSONRPCMessage[] = [];
  for (const item of Array.isArray(raw) ? raw : [raw]) {
    const parsed = JSONRPCMessageSchema.safeParse(item);
    if (!parsed.success) return undefined;
    messages.push(parsed.data);
  }
  return messages;
}

// Whether an Accept header admits `mediaType`: wildcard ranges (any type, or any subtype of its
// type) count, as the reference's go-sdk has them; a range with q=0 refuses.
function accepts(header: string | undefined, mediaType: string): boolean {
  if (header === undefined) return false;
  const anyOfType = `${mediaType.slice(0, mediaType.indexOf("/"))}/*`;
  return header.split(",").some((range) => {
    const [type = "", ...params] = range.split(";").map((part) => part.trim().toLowerCase());
    if (type !== mediaType && type !== anyOfType && type !== "*/*") return false;
    return !params.some((param) => /^q=0(\.0*)?$/.test(param));
  });
}

/** Compares the media type itself, never a substring: `text/plain; x=application/json` is not JSON. */
function isJsonMediaType(header: string | undefined): boolean {
  return header?.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}
