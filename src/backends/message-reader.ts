// Splits a stdio server's output into JSON-RPC messages, one per line, as the SDK's ReadBuffer
// does, with a bound on one message rather than on the buffer. The SDK's buffer throws once it
// holds more than its limit, and its transport then closes the connection: one large answer
// failed every call in flight on it. Here a line over the limit is skipped without being kept,
// and only the call it answered fails. So does a line the JSON-RPC message schema refuses, which
// the SDK's reader dropped, leaving the call it answered to wait for its tool timeout.
import { JSONRPCMessageSchema, type JSONRPCMessage, type RequestId, type Result } from "@modelcontextprotocol/sdk/types.js";
import { isObject } from "../shared/index.ts";
import { errorAnswer, notJson, refusedMessage, type RefusedMessage } from "./bad-message.ts";

/** How much of each end of a skipped line is kept to find the message's id in. */
const EDGE_BYTES = 1024;

/** A line that was too long: its size and both ends, where a JSON-RPC response keeps its id. */
interface SkippedLine {
  bytes: number;
  head: string;
  tail: string;
}

/**
 * The part of the SDK's ReadBuffer its stdio transport uses (append, readMessage, clear), so both
 * the gateway's own stdio transport and the SDK's can read through it. `append` takes ownership
 * of the chunk: the caller must not change it afterwards (a child process's stdout never does).
 */
export class BoundedMessageReader {
  readonly #maxMessageBytes: number;
  readonly #onOversized: (bytes: number) => string;
  readonly #onRefused: (refused: RefusedMessage) => string;
  /** Complete lines not read yet, and lines skipped for their size. */
  readonly #lines: (Buffer | SkippedLine)[] = [];
  /** The start of the line still arriving. */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  /** While a line over the limit is arriving: its size so far and its first and last bytes. */
  #skipping: { bytes: number; head: Buffer; tail: Buffer } | undefined;

  /**
   * `onOversized(bytes)` is told of each message dropped for its size, and `onRefused` of each
   * line the JSON-RPC message schema refuses; each returns the error message for the call that
   * message answered (by default, for a reader nobody logs for, the refusal's description).
   */
  constructor(
    maxMessageBytes: number,
    onOversized: (bytes: number) => string,
    onRefused: (refused: RefusedMessage) => string = (refused) => refused.description,
  ) {
    this.#maxMessageBytes = maxMessageBytes;
    this.#onOversized = onOversized;
    this.#onRefused = onRefused;
  }

  append(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, newline === -1 ? chunk.length : newline);
      this.#take(piece);
      if (newline === -1) return;
      this.#endLine();
      start = newline + 1;
    }
  }

  /**
   * The next message, or null when no complete line is left. A line that is too long or that the
   * JSON-RPC message schema refuses comes as an error answer to the request it answered; one
   * that answers no request recognisably throws (the transport reports it as an error).
   */
  readMessage(): JSONRPCMessage | null {
    const line = this.#lines.shift();
    if (line === undefined) return null;
    if (Buffer.isBuffer(line)) return this.#parse(line);
    const message = this.#onOversized(line.bytes);
    const id = responseId(line);
    if (id === undefined) throw new Error(`${message}; it was not recognisably a response (no request id at either end), so no call was failed with it`);
    return errorAnswer(id, message);
  }

  #parse(line: Buffer): JSONRPCMessage {
    // A CRLF line loses its CR before decoding: a pattern anchored at the end would scan all of a large answer.
    const end = line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
    let message: unknown;
    try {
      message = JSON.parse(line.toString("utf8", 0, end));
    } catch (error) {
      throw new Error(this.#onRefused(notJson(error)), { cause: error });
    }
    const { message: read, refused } = schemaChecked(message);
    if (!refused) return read;
    const text = this.#onRefused(refused);
    if (refused.answers === undefined) throw new Error(text);
    return errorAnswer(refused.answers, text);
  }

  clear(): void {
    this.#lines.length = 0;
    this.#partial = [];
    this.#partialBytes = 0;
    this.#skipping = undefined;
  }

  #take(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.#skipping) {
      this.#skipping.bytes += piece.length;
      this.#skipping.tail = lastBytes(Buffer.concat([this.#skipping.tail, piece]));
      return;
    }
    if (this.#partialBytes + piece.length <= this.#maxMessageBytes) {
      // Kept as a view, not copied: a pipe's stream hands every chunk in memory of its own, never
      // reused, and a line's pieces are copied once anyway when they are joined (or decoded).
      this.#partial.push(piece);
      this.#partialBytes += piece.length;
      return;
    }
    const sofar = Buffer.concat([...this.#partial, piece]);
    this.#skipping = { bytes: sofar.length, head: Buffer.from(sofar.subarray(0, EDGE_BYTES)), tail: lastBytes(sofar) };
    this.#partial = [];
    this.#partialBytes = 0;
  }

  #endLine(): void {
    if (this.#skipping) {
      const { bytes, head, tail } = this.#skipping;
      this.#lines.push({ bytes, head: head.toString("utf8"), tail: tail.toString("utf8") });
      this.#skipping = undefined;
      return;
    }
    this.#lines.push(this.#partial.length === 1 ? this.#partial[0]! : Buffer.concat(this.#partial));
    this.#partial = [];
    this.#partialBytes = 0;
  }
}

function lastBytes(buffer: Buffer): Buffer {
  return Buffer.from(buffer.subarray(Math.max(0, buffer.length - EDGE_BYTES)));
}

const ID_VALUE = String.raw`(-?\d+|"(?:[^"\\]|\\.)*")`;
const JSONRPC_MEMBER = String.raw`(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?`;
/**
 * A response opens with `result` or `error`, after at most `jsonrpc` and `id` (the TypeScript SDK
 * writes `{"result":…,"jsonrpc":"2.0","id":1}`, Go and Python servers `{"jsonrpc":"2.0","id":1,"result":…}`).
 * A request or notification names its method first, or right after `jsonrpc` and `id`.
 */
const RESPONSE_HEAD = new RegExp(String.raw`^\s*\{\s*${JSONRPC_MEMBER}(?:"id"\s*:\s*${ID_VALUE}\s*,\s*)?${JSONRPC_MEMBER}"(?:result|error)"\s*:`);
/** `"id"` as the last member, or before a last `jsonrpc`, closing the top-level object. */
const ID_AT_TAIL = new RegExp(String.raw`"id"\s*:\s*${ID_VALUE}\s*(?:,\s*"jsonrpc"\s*:\s*"2\.0"\s*)?\}\s*\r?$`);

/**
 * The id of a response from the ends of its line, where JSON-RPC libraries put it; undefined for
 * a request or notification, or a response whose id is in its middle. A nested object's "id" is
 * never taken for it: at the head the match opens the top-level object, at the tail it closes it.
 */
function responseId(line: SkippedLine): RequestId | undefined {
  const head = RESPONSE_HEAD.exec(line.head);
  if (!head) return undefined;
  const found = head[1] ?? ID_AT_TAIL.exec(line.tail)?.[1];
  return found === undefined ? undefined : (JSON.parse(found) as RequestId);
}

/** A result the Protocol's schemas pass unchanged: an object whose members they do not look into. */
export function isPlainResult(result: unknown): result is Result {
  return isObject(result) && !("_meta" in result) && !Object.hasOwn(result, "__proto__");
}

/**
 * A JSON-RPC success answer of the shape the SDK's message schema accepts and copies unchanged:
 * exactly `jsonrpc` "2.0", an integer or string `id`, and a plain result. Anything else is left to
 * the schema (it may still be valid, or not).
 */
/**
 * `value` as the JSON-RPC message schema reads it, or what is wrong with it. The SDK's
 * deserializeMessage parses every message with its schema, which copies it; a plain answer (the
 * usual tools/call result) passes that schema unchanged and is taken as it is.
 */
export function schemaChecked(value: unknown): { message: JSONRPCMessage; refused?: undefined } | { message?: undefined; refused: RefusedMessage } {
  if (isPlainResultResponse(value)) return { message: value };
  const parsed = JSONRPCMessageSchema.safeParse(value);
  return parsed.success ? { message: parsed.data } : { refused: refusedMessage(value) };
}

export function isPlainResultResponse(message: unknown): message is { jsonrpc: "2.0"; id: number | string; result: Result } {
  if (!isObject(message) || message["jsonrpc"] !== "2.0") return false;
  let members = 0;
  for (const _ in message) members++;
  if (members !== 3) return false;
  const id = message["id"];
  return (typeof id === "string" || Number.isSafeInteger(id)) && isPlainResult(message["result"]);
}
