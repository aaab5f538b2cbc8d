// Large tool results spill to disk (gateway.md §5 steps 3–5): a result whose JSON exceeds the
// threshold is saved as <payloadDir>/<sessionID>/<queryID>/payload.json and the client receives a
// small metadata document instead, telling the agent where the full data is and what it looks like.
import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ForwardMiddleware } from "../forward/index.ts";
import type { GatewaySettings } from "../../config/index.ts";
import type { GatewayLogger } from "../../log/index.ts";
import { errorText, unsafeDirectoryReason, utf8Prefix } from "../../shared/index.ts";

export type PayloadSettings = Pick<GatewaySettings, "payloadDir" | "payloadPathPrefix" | "payloadSizeThreshold">;

export const PAYLOAD_AGENT_INSTRUCTIONS =
  "The payload was too large for an MCP response. The complete original response data is saved as a JSON file " +
  "at payloadPath. The file contains valid JSON that can be parsed directly. The payloadSchema shows the " +
  "structure and types of fields in the full response, but not the actual values. To access the full data with " +
  "all values, read and parse the JSON file at payloadPath.";

const PREVIEW_BYTES = 500;

/** The shape of a JSON value: leaves become their type name, arrays keep their first element's shape. */
export function inferPayloadSchema(value: unknown): unknown {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? [] : [inferPayloadSchema(value[0])];
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
    case "bigint":
      return "number";
    case "boolean":
      return "boolean";
    case "object":
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, inferPayloadSchema(item)]));
    default:
      return "null";
  }
}

/** The first 500 bytes of the JSON, cut back to a whole UTF-8 character, plus "..."; or all of it. */
export function previewPayload(json: Buffer): string {
  if (json.length <= PREVIEW_BYTES) return json.toString("utf8");
  return `${utf8Prefix(json, PREVIEW_BYTES).toString("utf8")}...`;
}

/**
 * A session id as one directory name: path separators and other unsafe characters replaced. The
 * gateway passes the agent's digest (AgentIdentity.agent), never the credential.
 */
export function payloadSessionSegment(sessionId: string | undefined): string {
  const segment = (sessionId ?? "").replace(/[^A-Za-z0-9._-]/g, "_");
  return segment === "" || segment === "." || segment === ".." ? "default" : segment;
}

async function writePayloadFile(dir: string, session: string, queryId: string, json: Buffer): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // The payload directory's default is under /tmp, where anyone may have made it first: a link or
  // a directory others can write in would let them read the agents' payloads or redirect them.
  const unsafe = unsafeDirectoryReason(dir, "payload_dir (--payload-dir)");
  if (unsafe !== undefined) throw new Error(`refusing payload directory ${dir}: ${unsafe}`);
  const sessionDir = join(dir, session);
  // Only the gateway's own user may list an agent's payloads; a directory left by an earlier run
  // with a wider mode is narrowed too.
  await mkdir(sessionDir, { recursive: true, mode: 0o700 });
  // A session directory planted as a symlink would send payloads outside payloadDir.
  if ((await lstat(sessionDir)).isSymbolicLink()) throw new Error(`${sessionDir} is a symbolic link`);
  await chmod(sessionDir, 0o700);
  const queryDir = join(sessionDir, queryId);
  await mkdir(queryDir, { mode: 0o755 });
  await chmod(queryDir, 0o755);
  const file = join(queryDir, "payload.json");
  await writeFile(file, json, { mode: 0o600, flag: "wx" });
  return file;
}

/**
 * Returns `result` unchanged when its JSON is at most the threshold (or it is an error result);
 * otherwise saves it and returns the metadata document. A failed write is logged and the document
 * carries an empty payloadPath, as in the reference.
 */
export async function spillLargePayload(
  result: CallToolResult,
  sessionId: string | undefined,
  settings: PayloadSettings,
  logger?: GatewayLogger,
): Promise<CallToolResult> {
  if (result.isError === true) return result;
  const text = JSON.stringify(result);
  // Measured without encoding: every call is checked, and only a spilled result needs the bytes.
  if (Buffer.byteLength(text) <= settings.payloadSizeThreshold) return result;
  const json = Buffer.from(text);

  const session = payloadSessionSegment(sessionId);
  const queryId = randomBytes(16).toString("hex");
  let payloadPath = "";
  try {
    const file = await writePayloadFile(settings.payloadDir, session, queryId, json);
    payloadPath = settings.payloadPathPrefix === undefined ? file : join(settings.payloadPathPrefix, session, queryId, "payload.json");
    logger?.log("info", "payload", `Payload of ${json.length} bytes exceeds the ${settings.payloadSizeThreshold}-byte threshold; saved to ${file}`);
  } catch (error) {
    logger?.log("error", "payload", `Failed to save a ${json.length}-byte payload under ${settings.payloadDir}: ${errorText(error)}`);
  }
  const metadata = {
    agentInstructions: PAYLOAD_AGENT_INSTRUCTIONS,
    payloadPath,
    payloadPreview: previewPayload(json),
    payloadSchema: inferPayloadSchema(JSON.parse(json.toString("utf8"))),
    originalSize: json.length,
  };
  return {
    content: [{ type: "text", text: JSON.stringify(metadata) }],
    ...(result.isError === undefined ? {} : { isError: result.isError }),
    ...(result._meta === undefined ? {} : { _meta: result._meta }),
  };
}

/** The size check as a step of the forward chain: every tools/call result over the threshold is spilled, in the agent's directory. */
export function spillStep(settings: PayloadSettings, logger: GatewayLogger): ForwardMiddleware {
  return (next) => async (request) => {
    const result = await next(request);
    return request.method === "tools/call" ? spillLargePayload(result as CallToolResult, request.agent, settings, logger) : result;
  };
}
