import { isPlainObject } from "./json.ts";
import { sortedTags, type ResourceLabels } from "./labels.ts";

export const DIFC_FILTERED_SCHEMA = "difc-filtered/v2";

/**
 * The fields of one `difc_filtered` log record (schema difc-filtered/v2), without the timestamp,
 * which the logger adds. Same field set as the logger's DifcFilteredRecord.
 */
export interface DifcFilteredFields {
  serverId: string;
  toolName: string;
  description: string;
  reason: string;
  secrecyTags: string[];
  integrityTags: string[];
  authorAssociation?: string;
  authorLogin?: string;
  htmlUrl?: string;
  number?: string;
  sha?: string;
}

export function difcFilteredFields(
  context: { serverId: string; toolName: string },
  item: { data: unknown; labels: ResourceLabels },
  reason: string,
): DifcFilteredFields {
  const record: DifcFilteredFields = {
    serverId: context.serverId,
    toolName: context.toolName,
    description: item.labels.description,
    reason,
    secrecyTags: sortedTags(item.labels.secrecy),
    integrityTags: sortedTags(item.labels.integrity),
  };
  const data = item.data;
  if (!isPlainObject(data)) return record;
  const authorAssociation = firstString(data["author_association"], data["authorAssociation"]);
  const authorLogin = firstString(loginOf(data["user"]), loginOf(data["author"]));
  const htmlUrl = firstString(data["html_url"], data["htmlUrl"]);
  const number = data["number"];
  const sha = firstString(data["sha"]);
  if (authorAssociation !== undefined) record.authorAssociation = authorAssociation;
  if (authorLogin !== undefined) record.authorLogin = authorLogin;
  if (htmlUrl !== undefined) record.htmlUrl = htmlUrl;
  if (typeof number === "number" && Number.isInteger(number)) record.number = String(number);
  if (sha !== undefined) record.sha = sha;
  return record;
}

function loginOf(value: unknown): unknown {
  return isPlainObject(value) ? value["login"] : undefined;
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((value): value is string => typeof value === "string" && value !== "");
}

/**
 * The record's wire form, snake_case in the reference's key order, without timestamp, event and
 * `_schema`: the body of the `[DIFC-FILTERED]` text log line, and of the JSONL record once the
 * logger adds those three.
 */
export function difcFilteredJson(fields: DifcFilteredFields): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {
    server_id: fields.serverId,
    tool_name: fields.toolName,
    description: fields.description,
    reason: fields.reason,
    secrecy_tags: fields.secrecyTags,
    integrity_tags: fields.integrityTags,
  };
  if (fields.authorAssociation !== undefined) out["author_association"] = fields.authorAssociation;
  if (fields.authorLogin !== undefined) out["author_login"] = fields.authorLogin;
  if (fields.htmlUrl !== undefined) out["html_url"] = fields.htmlUrl;
  if (fields.number !== undefined) out["number"] = fields.number;
  if (fields.sha !== undefined) out["sha"] = fields.sha;
  return out;
}

/** The INFO line in mcp-gateway.log and the server's log, category `difc`. */
export function difcFilteredLogMessage(fields: DifcFilteredFields): string {
  return `[DIFC-FILTERED] ${JSON.stringify(difcFilteredJson(fields))}`;
}
