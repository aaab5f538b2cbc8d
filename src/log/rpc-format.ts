// The records of rpc-messages.jsonl and the matching DEBUG lines of the text log
// (gateway.md §6.4, §6.5). Object literals are built in the reference's field order, which
// JSON.stringify keeps.
import { createHash } from "node:crypto";
import { formatTimestamp } from "./line-format.ts";
import { formatRpcMarkdownMessage } from "./markdown-format.ts";
import { secrecyMarker } from "./redaction.ts";
import type { Sanitizer } from "./sanitize.ts";
import type { DifcFilteredRecord, LogPayloads, RpcLogRecord } from "./types.ts";
import { isObject, MCP_REQUEST_METHODS, utf8Prefix } from "../shared/index.ts";

const TEXT_PAYLOAD_LIMIT = 10 * 1024;

/** Everything one RPC record becomes, in each file's format, each without its trailing newline. */
export interface FormattedRpc {
  jsonl: string;
  /** The message of the DEBUG `rpc` line of mcp-gateway.log. */
  text: string;
  /** The pre-formatted gateway.md message. */
  markdown: string;
}

/**
 * A payload given as JSON text is logged as the value it encodes; undefined when it is not JSON.
 * A request without one has no params; a response without one received nothing.
 */
function parsePayload(record: RpcLogRecord): { value: unknown } | undefined {
  const payload = record.payload;
  if (payload === undefined) return record.event === "rpc_request" ? { value: undefined } : undefined;
  if (typeof payload !== "string") return { value: payload };
  try {
    return { value: JSON.parse(payload) };
  } catch {
    return undefined;
  }
}

/** The request as sent: `{"jsonrpc","method","params"}` without `id`, from a whole message or its params. */
function requestMessage(method: string, payload: unknown): unknown {
  const params = isObject(payload) && "jsonrpc" in payload ? payload.params : payload;
  return { jsonrpc: "2.0", method, params: params ?? null };
}

/** The response as `{"jsonrpc","id","result"|"error"}`, from a whole message or its result alone. */
function responseMessage(payload: unknown, id: string | number | undefined): unknown {
  if (isObject(payload) && "jsonrpc" in payload) {
    const messageId = payload.id ?? id ?? 1;
    if ("error" in payload) return { jsonrpc: "2.0", id: messageId, error: payload.error };
    return { jsonrpc: "2.0", id: messageId, result: payload.result ?? null };
  }
  return { jsonrpc: "2.0", id: id ?? 1, result: payload };
}

function toolNameOf(method: string, message: unknown): string | undefined {
  if (method !== "tools/call" || !isObject(message) || !isObject(message.params)) return undefined;
  return typeof message.params.name === "string" ? message.params.name : undefined;
}

/** `fields` as JSON with `"payload"` last, its text spliced in rather than serialised a second time. */
function withPayload(fields: Record<string, unknown>, payloadText: string): string {
  return `${JSON.stringify(fields).slice(0, -1)},"payload":${payloadText}}`;
}

/** The payload text cut to TEXT_PAYLOAD_LIMIT bytes, encoding no more of it than the cut can need. */
function textPreview(payloadText: string): string {
  // A UTF-16 unit takes 1 to 3 bytes in UTF-8: short text cannot be over, and the first LIMIT units hold the cut.
  if (payloadText.length * 3 <= TEXT_PAYLOAD_LIMIT) return payloadText;
  return utf8Prefix(Buffer.from(payloadText.slice(0, TEXT_PAYLOAD_LIMIT)), TEXT_PAYLOAD_LIMIT).toString("utf8");
}

/**
 * What a sensitive payload is logged as: enough to tell two payloads apart, or to check one held
 * elsewhere, without its content. `text` is the payload as it would have been logged.
 */
function redactionOf(text: string): { redacted: "secrecy"; bytes: number; sha256: string } {
  return { redacted: "secrecy", bytes: Buffer.byteLength(text), sha256: createHash("sha256").update(text).digest("hex") };
}

/** A sensitive response's error text may quote what the call read, so it is hidden as its payload is. */
const REDACTED_ERROR = "(redacted: secrecy)";

export function formatRpcRecord(record: RpcLogRecord, date: Date, sanitizer: Sanitizer, logPayloads: LogPayloads = "redacted"): FormattedRpc {
  const parsed = parsePayload(record);
  let message: unknown;
  if (parsed !== undefined) {
    message = record.event === "rpc_request" ? requestMessage(record.method, parsed.value) : responseMessage(parsed.value, record.id);
  }
  const rawText = message === undefined ? (typeof record.payload === "string" ? record.payload : "") : JSON.stringify(message);
  const redact = record.sensitive === true && logPayloads === "redacted";
  const logged = message === undefined ? { _error: "invalid JSON", _raw: sanitizer.text(rawText) } : sanitizer.value(message);
  // Most messages hold nothing to redact: their text is then the one already made (256 KB each for a large echo).
  const loggedText = logged === message ? rawText : JSON.stringify(logged);
  const payload = redact ? redactionOf(loggedText) : logged;
  const payloadText = redact ? JSON.stringify(payload) : loggedText;
  // gateway.md shows a payload that is JSON; a redacted one is.
  const shown = redact || message !== undefined ? { payloadText, payload } : {};
  const bytes = Buffer.byteLength(rawText);
  const labels = {
    ...(record.agentSecrecy !== undefined && record.agentSecrecy.length > 0 ? { agent_secrecy: record.agentSecrecy } : {}),
    ...(record.agentIntegrity !== undefined && record.agentIntegrity.length > 0 ? { agent_integrity: record.agentIntegrity } : {}),
  };
  const base = { timestamp: formatTimestamp(date), event: record.event, _schema: "rpc-message/v2" };
  const serverId = record.serverId;
  const textPayload = textPreview(payloadText);
  if (record.event === "rpc_request") {
    const method = redact && !MCP_REQUEST_METHODS.has(record.method) ? secrecyMarker(record.method) : record.method;
    // The tool name is part of the payload: a redacted one shows neither.
    const toolName = redact ? undefined : toolNameOf(record.method, message);
    return {
      jsonl: withPayload({ ...base, direction: "OUT", server_id: serverId, method, ...labels }, payloadText),
      text: `${serverId}→${method} ${bytes}b ${textPayload}`,
      markdown: formatRpcMarkdownMessage({
        serverId,
        direction: "out",
        method,
        toolName,
        ...shown,
      }),
    };
  }
  const error = record.error === undefined ? undefined : redact ? REDACTED_ERROR : sanitizer.text(record.error);
  return {
    jsonl: withPayload({ ...base, direction: "IN", server_id: serverId, ...(error === undefined ? {} : { error }), ...labels }, payloadText),
    text: `${serverId}←resp ${bytes}b${error === undefined ? "" : ` err:${error}`} ${textPayload}`,
    markdown: formatRpcMarkdownMessage({ serverId, direction: "in", ...shown, error }),
  };
}

/** The difc-filtered/v2 record's fields after timestamp/event/_schema, in the reference's order. */
function difcFields(record: DifcFilteredRecord, sanitizer: Sanitizer): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    server_id: record.serverId,
    tool_name: record.toolName,
    description: sanitizer.recurringText(record.description),
    reason: sanitizer.recurringText(record.reason),
    secrecy_tags: record.secrecyTags,
    integrity_tags: record.integrityTags,
  };
  if (record.authorAssociation !== undefined) fields["author_association"] = record.authorAssociation;
  if (record.authorLogin !== undefined) fields["author_login"] = record.authorLogin;
  if (record.htmlUrl !== undefined) fields["html_url"] = record.htmlUrl;
  if (record.number !== undefined) fields["number"] = record.number;
  if (record.sha !== undefined) fields["sha"] = record.sha;
  return fields;
}

export function formatDifcFilteredRecord(record: DifcFilteredRecord, date: Date, sanitizer: Sanitizer): { jsonl: string; text: string } {
  // Encoded once for both: a filtered answer can log thousands of these at a time.
  const fields = JSON.stringify(difcFields(record, sanitizer));
  const head = JSON.stringify({ timestamp: formatTimestamp(date), event: "difc_filtered", _schema: "difc-filtered/v2" });
  return {
    jsonl: `${head.slice(0, -1)},${fields.slice(1)}`,
    text: `[DIFC-FILTERED] ${fields}`,
  };
}

/**
 * The proxy's record of a read it forwarded without labels (gateway.md §6.4, §6.5): the JSONL
 * line, and the same object for the `[UNRECOGNIZED-ENDPOINT]` text and markdown entries.
 */
export function formatUnrecognizedEndpoint(method: string, path: string, date: Date, sanitizer: Sanitizer): { jsonl: string; text: string } {
  const jsonl = JSON.stringify({
    timestamp: formatTimestamp(date),
    event: "unrecognized_endpoint_passthrough",
    _schema: "difc-event/v1",
    method,
    path: sanitizer.text(path),
    action: "passthrough_with_empty_labels",
    note: "Endpoint not in route table or metadata allowlist -- forwarded with no integrity and no secrecy labels",
  });
  return { jsonl, text: `[UNRECOGNIZED-ENDPOINT] ${jsonl}` };
}
