// The fetch an HTTP backend's SDK transport reads its answers through. The SDK's transports parse
// each message with the JSON-RPC message schema and drop one it refuses with an error nobody
// hears (an answer on an SSE stream: its call waited for the tool timeout), or fail the whole
// POST with the schema's raw complaint, which the session took for a broken connection and
// closed it, failing every call in flight beside it. Here each such answer is replaced, before
// the SDK reads it, by an error answer to the request it answered that says what was wrong.
import { type JSONRPCErrorResponse, type RequestId } from "@modelcontextprotocol/sdk/types.js";
import { isObject } from "../shared/index.ts";
import { errorAnswer, notJson, type RefusedMessage } from "./bad-message.ts";
import { schemaChecked } from "./message-reader.ts";

/** The part of fetch the SDK's transports and the eventsource package call. */
export type FetchFunction = (input: string | URL, init?: RequestInit) => Promise<Response>;

type OnRefused = (refused: RefusedMessage) => string;

/** `base`, with every message in a JSON or SSE answer that the schema refuses told to `onRefused`, and replaced when it answers a request. */
export function refusingFetch(onRefused: OnRefused, base: FetchFunction = fetch): FetchFunction {
  return async (input, init) => {
    const response = await base(input, init);
    // A new Response loses `redirected` and `url`, which the eventsource package follows.
    if (!response.ok || !response.body || response.redirected) return response;
    const type = response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
    if (type === "application/json") {
      const checked = checkedJson(await response.text(), onRefused, () => postedRequestId(init));
      // JSON.parse never gives undefined: undefined is text that is not JSON.
      return checked.value === undefined ? withBody(response, checked.text) : new ParsedJsonResponse(checked.text, checked.value, response);
    }
    if (type === "text/event-stream") {
      return withBody(response, response.body.pipeThrough(checkedEvents(onRefused)));
    }
    return response;
  };
}

function withBody(response: Response, body: string | ReadableStream<Uint8Array>): Response {
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * A JSON answer already parsed here: the SDK's `json()` gets the value instead of parsing the text
 * a second time (about 1.3 ms of a 256 KB answer); anything else reading the body gets the text.
 */
class ParsedJsonResponse extends Response {
  readonly #value: unknown;

  constructor(text: string, value: unknown, response: Response) {
    super(text, { status: response.status, statusText: response.statusText, headers: response.headers });
    this.#value = value;
  }

  override json(): Promise<unknown> {
    return Promise.resolve(this.#value);
  }
}

/**
 * The error answer that replaces `message` when the schema refuses it and it answers a request;
 * null when it answers none (to be dropped); undefined when it passes.
 */
function replacement(message: unknown, onRefused: OnRefused): JSONRPCErrorResponse | null | undefined {
  const { refused } = schemaChecked(message);
  return refused ? refusal(refused, onRefused, undefined) : undefined;
}

/** The error answer to the request `refused` answers (by its own id, or else `answering`), or null for none. */
function refusal(refused: RefusedMessage, onRefused: OnRefused, answering: RequestId | undefined): JSONRPCErrorResponse | null {
  const answers = refused.answers ?? answering;
  const text = onRefused(answers === undefined ? refused : { ...refused, answers });
  return answers === undefined ? null : errorAnswer(answers, text);
}

/**
 * A JSON body: the answer to the request POSTed (`answering()`, if it was one), so even a body
 * without a usable id, or not JSON, is that request's; or several messages, of which those the
 * schema refuses are replaced or dropped (the SDK would fail the whole body for one). Comes with
 * its parsed value, except for text that is not JSON and answers no request.
 */
function checkedJson(body: string, onRefused: OnRefused, answering: () => RequestId | undefined): { text: string; value?: unknown } {
  const answer = (value: unknown) => ({ text: JSON.stringify(value), value });
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    const id = answering();
    // Without a request to answer, the SDK fails the POST with the parser's error, as it would have.
    const replaced = id === undefined ? null : refusal(notJson(error), onRefused, id);
    return replaced ? answer(replaced) : { text: body };
  }
  if (!Array.isArray(value)) {
    const { refused } = schemaChecked(value);
    if (!refused) return { text: body, value };
    const replaced = refusal(refused, onRefused, answering());
    return replaced ? answer(replaced) : { text: body, value };
  }
  let changed = false;
  const messages = value.flatMap((message: unknown) => {
    const replaced = replacement(message, onRefused);
    if (replaced === undefined) return [message];
    changed = true;
    return replaced === null ? [] : [replaced];
  });
  return changed ? answer(messages) : { text: body, value };
}

/** The id of the request a POST carried, read only when its answer is refused; undefined for anything else. */
function postedRequestId(init: RequestInit | undefined): RequestId | undefined {
  if (typeof init?.body !== "string") return undefined;
  try {
    const sent: unknown = JSON.parse(init.body);
    return isObject(sent) && typeof sent["method"] === "string" && (typeof sent["id"] === "string" || typeof sent["id"] === "number") ? sent["id"] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An SSE stream, event by event: each "message" event's data checked, the event passed on as it
 * came (its lines ending in LF) or with its data replaced. Lines end in CRLF, LF or CR (SSE).
 * One stage, decoding and encoding itself: each stage of a stream costs every answer a few
 * microtasks.
 */
function checkedEvents(onRefused: OnRefused): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  /** The line still arriving; a CR at its end may be the first half of a CRLF. */
  let partial = "";
  /** The complete lines of the event still arriving. */
  let lines: string[] = [];
  const take = (line: string, controller: TransformStreamDefaultController<Uint8Array>) => {
    if (line !== "") {
      lines.push(line);
      return;
    }
    controller.enqueue(encoder.encode(checkedEvent(lines, onRefused)));
    lines = [];
  };
  return new TransformStream({
    transform(bytes, controller) {
      const chunk = decoder.decode(bytes, { stream: true });
      // Most chunks of a long answer hold no line end: they only lengthen the line.
      if (!/[\r\n]/.test(chunk)) {
        partial += chunk;
        return;
      }
      const text = partial + chunk;
      const heldCr = text.endsWith("\r");
      const pieces = (heldCr ? text.slice(0, -1) : text).split(/\r\n|\r|\n/);
      partial = pieces.pop()! + (heldCr ? "\r" : "");
      for (const line of pieces) take(line, controller);
    },
    flush(controller) {
      partial += decoder.decode();
      // A CR held back at the end was a line end after all.
      if (partial.endsWith("\r")) {
        take(partial.slice(0, -1), controller);
        partial = "";
      }
      // An event without its blank line is never dispatched: passed on as it came.
      const rest = [...lines, partial].filter((line) => line !== "");
      if (rest.length > 0) controller.enqueue(encoder.encode(rest.join("\n")));
    },
  });
}

/** One event's lines, with the blank line that ends it. */
function checkedEvent(lines: string[], onRefused: OnRefused): string {
  const unchanged = `${lines.join("\n")}\n\n`;
  const field = (line: string, name: string) =>
    line.startsWith(`${name}:`) ? line.slice(line[name.length + 1] === " " ? name.length + 2 : name.length + 1) : undefined;
  const type = lines.map((line) => field(line, "event")).findLast((value) => value !== undefined) ?? "message";
  const data = lines.map((line) => field(line, "data")).filter((value) => value !== undefined);
  if (type !== "message" || data.length === 0) return unchanged;
  let message: unknown;
  try {
    message = JSON.parse(data.join("\n"));
  } catch (error) {
    // The SDK drops it with an error nobody hears; here it is at least logged.
    onRefused(notJson(error));
    return unchanged;
  }
  const replaced = replacement(message, onRefused);
  // One without a usable id is left to the SDK, which drops it (logged here already).
  if (!replaced) return unchanged;
  const others = lines.filter((line) => field(line, "data") === undefined);
  return `${[...others, `data: ${JSON.stringify(replaced)}`].join("\n")}\n\n`;
}
