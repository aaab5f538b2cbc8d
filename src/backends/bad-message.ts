// A message from a backend that the JSON-RPC message schema refuses. The SDK's transports drop
// such a message with an error nobody hears, so a call it answered waited for the tool timeout.
// Here it is described (what it was and what was wrong, from the backend's own words only in
// short pieces), logged, and when it answers a request in flight, that request fails with the
// description at once.
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
    return { description: `${what}, not a JSON-RPC message object` };
  }
  if ("method" in value) {
    const kind = "id" in value ? "a request" : "a notification";
    const schema = "id" in value ? JSONRPCRequestSchema : JSONRPCNotificationSchema;
    return { description: `${kind} the JSON-RPC message schema refuses (${schemaIssues(schema, value)})` };
  }
  const id = value["id"];
  const answers = typeof id === "string" || Number.isSafeInteger(id) ? { answers: id as RequestId } : {};
  const idProblem = "id" in value && !("answers" in answers) ? `; its id ${quoted(id)} is neither a string nor an integer` : "";
  return { description: `${responseProblem(value)}${idProblem}`, ...answers };
}

/** A line that did not parse as JSON, described. */
export function notJson(error: unknown): RefusedMessage {
  return { description: `a line that is not JSON (${bounded(error instanceof Error ? error.message : String(error))})` };
}

/** What is wrong with a message that has no method: an answer, or meant to be one. */
function responseProblem(value: Record<string, unknown>): string {
  const hasResult = "result" in value;
  const hasError = "error" in value;
  if (hasResult && hasError) return "a response with both a result and an error";
  if (hasResult) return `a result response the JSON-RPC message schema refuses (${schemaIssues(JSONRPCResultResponseSchema, value)})`;
  if (hasError) return `an error response the JSON-RPC message schema refuses (${schemaIssues(JSONRPCErrorResponseSchema, value)})`;
  return "a message with neither a method, a result nor an error";
}

/** The first few complaints of the one schema `value` was meant to match, each as "where: what". */
function schemaIssues(
  schema: { safeParse(value: unknown): { error?: { issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }> } } },
  value: unknown,
): string {
  const issues = schema.safeParse(value).error?.issues ?? [];
  const listed = issues.slice(0, LISTED_ISSUES).map((issue) => {
    const where = issue.path.length === 0 ? "the message" : issue.path.map(String).join(".");
    return bounded(`${where}: ${issue.message}`);
  });
  const more = issues.length > LISTED_ISSUES ? `; and ${issues.length - LISTED_ISSUES} more` : "";
  return `${listed.join("; ")}${more}`;
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
    if (refused.answers === undefined) {
      const dropped = `${said}; it answers no request of the gateway's (no usable id), so it was dropped`;
      logger.server(serverId, "warn", "backend", dropped);
      return dropped;
    }
    logger.server(
      serverId,
      "warn",
      "backend",
      `${said}, as the answer to request ${quoted(refused.answers)}, which (if still in flight) fails with this error`,
    );
    return `${said} as the answer to this call; the gateway refused it`;
  };
}

/** The error answer that stands in for a message the gateway could not take, to the request `id`. */
export function errorAnswer(id: RequestId, message: string): JSONRPCErrorResponse {
  return { jsonrpc: "2.0", id, error: { code: ErrorCode.InternalError, message } };
}
