// A message from a backend that the JSON-RPC message schema refuses. The SDK's transports drop
// such a message with an error nobody hears, so a call it answered waited for the tool timeout.
// Here it is described (what it was and what was wrong, from the backend's own words only in
// short pieces), logged, and when it answers a request in flight, that request fails with the
// description at once. The log gets the description without the backend's words: the message
// answers a call that may be a tainted agent's, and what the backend wrote may be what it read
// (a member named after a secret, a line of a private file); the agent's own error is the one
// place they may go, and the RPC log redacts it for a tainted agent.
import {
  ErrorCode,
  JSONRPCErrorResponseSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  JSONRPCResultResponseSchema,
  type JSONRPCErrorResponse,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import type { GatewayLogger } from "../log/index.ts";
import { isObject } from "../shared/index.ts";

/** A message the schema refused, as the gateway tells of it. */
export interface RefusedMessage {
  /** What the message was and what was wrong with it, e.g. "a result response the JSON-RPC message schema refuses (result: Invalid input: expected object, received string)". */
  description: string;
  /** The same without a word the backend chose, for the log: "a result response the JSON-RPC message schema refuses (result: invalid_type)". */
  logged: string;
  /** The request it answers; absent for a backend's own request or notification, and for an answer without a usable id. */
  answers?: RequestId;
}

/** How much of one thing the backend wrote (a member name, a value, a parser's complaint) a description quotes. */
const QUOTED_CHARS = 120;
/** How many of the schema's complaints a description lists. */
const LISTED_ISSUES = 3;

/** `value`, which the JSON-RPC message schema refused, described; an answer with a usable id names the request it answers. */
export function refusedMessage(value: unknown): RefusedMessage {
  if (!isObject(value)) {
    const what = Array.isArray(value) ? "a JSON array (MCP sends no batches)" : `JSON ${value === null ? "null" : typeof value}`;
    return { description: `${what}, not a JSON-RPC message object`, logged: `${what}, not a JSON-RPC message object` };
  }
  if ("method" in value) {
    const kind = "id" in value ? "a request" : "a notification";
    const issues = schemaIssues("id" in value ? JSONRPCRequestSchema : JSONRPCNotificationSchema, value);
    const refused = `${kind} the JSON-RPC message schema refuses`;
    return { description: `${refused} (${issues.quoted})`, logged: `${refused} (${issues.unquoted})` };
  }
  const id = value["id"];
  const answers = typeof id === "string" || Number.isSafeInteger(id) ? { answers: id as RequestId } : {};
  const badId = "id" in value && !("answers" in answers);
  const problem = responseProblem(value);
  return {
    description: `${problem.quoted}${badId ? `; its id ${quoted(id)} is neither a string nor an integer` : ""}`,
    logged: `${problem.unquoted}${badId ? "; its id is neither a string nor an integer" : ""}`,
    ...answers,
  };
}

/** A line that did not parse as JSON, described. */
export function notJson(error: unknown): RefusedMessage {
  return { description: `a line that is not JSON (${bounded(error instanceof Error ? error.message : String(error))})`, logged: "a line that is not JSON" };
}

interface Described {
  quoted: string;
  unquoted: string;
}

/** What is wrong with a message that has no method: an answer, or meant to be one. */
function responseProblem(value: Record<string, unknown>): Described {
  const hasResult = "result" in value;
  const hasError = "error" in value;
  const plain = (text: string) => ({ quoted: text, unquoted: text });
  if (hasResult && hasError) return plain("a response with both a result and an error");
  if (!hasResult && !hasError) return plain("a message with neither a method, a result nor an error");
  const refused = `${hasResult ? "a result" : "an error"} response the JSON-RPC message schema refuses`;
  const issues = schemaIssues(hasResult ? JSONRPCResultResponseSchema : JSONRPCErrorResponseSchema, value);
  return { quoted: `${refused} (${issues.quoted})`, unquoted: `${refused} (${issues.unquoted})` };
}

/** JSON-RPC's own members: a path that starts with one of them names no word of the backend's. */
const MESSAGE_MEMBERS: ReadonlySet<string> = new Set(["jsonrpc", "id", "method", "params", "result", "error"]);

/**
 * The first few complaints of the one schema `value` was meant to match: quoted, each as "where:
 * what" in the schema's words (which quote the backend's); unquoted, as the top-level member and
 * the complaint's code alone.
 */
function schemaIssues(
  schema: { safeParse(value: unknown): { error?: { issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string; code: string }> } } },
  value: unknown,
): Described {
  const issues = schema.safeParse(value).error?.issues ?? [];
  const listed = issues.slice(0, LISTED_ISSUES);
  const more = issues.length > LISTED_ISSUES ? `; and ${issues.length - LISTED_ISSUES} more` : "";
  const quotedIssues = listed.map((issue) => bounded(`${issue.path.length === 0 ? "the message" : issue.path.map(String).join(".")}: ${issue.message}`));
  const unquotedIssues = listed.map((issue) => {
    const member = String(issue.path[0]);
    return `${issue.path.length === 0 ? "the message" : MESSAGE_MEMBERS.has(member) ? member : "a member"}: ${issue.code}`;
  });
  return { quoted: `${quotedIssues.join("; ")}${more}`, unquoted: `${unquotedIssues.join("; ")}${more}` };
}

function quoted(value: unknown): string {
  return bounded(JSON.stringify(value) ?? String(value));
}

function bounded(text: string): string {
  return text.length <= QUOTED_CHARS ? text : `${text.slice(0, QUOTED_CHARS)}…`;
}

/**
 * Logs each refused message on `serverId`'s log and returns the error text for the request it
 * answered (for one that answers none, the text says it was dropped).
 */
export function refusalReporter(serverId: string, logger: GatewayLogger): (refused: RefusedMessage) => string {
  return (refused) => {
    const said = `backend "${serverId}" sent ${refused.description}`;
    const logged = `backend "${serverId}" sent ${refused.logged}`;
    const dropped = "; it answers no request of the gateway's (no usable id), so it was dropped";
    if (refused.answers === undefined) {
      logger.server(serverId, "warn", "backend", `${logged}${dropped}`);
      return `${said}${dropped}`;
    }
    // The gateway's own ids are integers; a string id is the backend's word, and is not logged.
    const request = typeof refused.answers === "number" ? `request ${refused.answers}` : "a request with a string id";
    logger.server(serverId, "warn", "backend", `${logged}, as the answer to ${request}, which (if still in flight) fails with this error`);
    return `${said} as the answer to this call; the gateway refused it`;
  };
}

/** The error answer that stands in for a message the gateway could not take, to the request `id`. */
export function errorAnswer(id: RequestId, message: string): JSONRPCErrorResponse {
  return { jsonrpc: "2.0", id, error: { code: ErrorCode.InternalError, message } };
}
