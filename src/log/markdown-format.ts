// Entries of gateway.md, the markdown summary a workflow step shows (gateway.md §6.3).
import type { LogLevel } from "./types.ts";

export const MARKDOWN_HEADER = "<details>\n<summary>MCP Gateway</summary>\n\n";
export const MARKDOWN_FOOTER = "\n</details>\n";

const LEVEL_EMOJI: Record<LogLevel, string> = { info: "✓", warn: "⚠️", error: "✗", debug: "🔍" };
const FENCE = "```";

function indentContinuation(text: string): string {
  return text.replaceAll("\n", "\n  ");
}

/** An RPC entry arrives already formatted: bold server id, then an arrow. */
function isPreformatted(message: string): boolean {
  return message.startsWith("**") && (message.includes("→") || message.includes("←"));
}

/** One list item of gateway.md for an already sanitised message, newline included. */
export function formatMarkdownEntry(level: LogLevel, category: string, message: string): string {
  const emoji = LEVEL_EMOJI[level];
  if (isPreformatted(message)) return `- ${emoji} ${category} ${indentContinuation(message)}\n`;
  if (message.includes("\n") || message.includes("command=") || message.includes("args=")) {
    return `- ${emoji} **${category}**\n  ${FENCE}\n  ${indentContinuation(message)}\n  ${FENCE}\n`;
  }
  return `- ${emoji} **${category}** ${message}\n`;
}

const PREVIEW_CHARS = 512;

/** The first `limit` UTF-16 units of `text`, never ending inside a surrogate pair. */
export function truncateChars(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

export interface RpcMarkdownInput {
  serverId: string;
  direction: "out" | "in";
  /** The request's method; responses show "resp". */
  method?: string;
  /** For tools/call requests. */
  toolName?: string;
  /** The sanitised payload as compact JSON text. */
  payloadText?: string;
  /** The value `payloadText` encodes, when the caller has it at hand: spares parsing the text back. */
  payload?: unknown;
  error?: string;
}

/** The pre-formatted message of an RPC entry: `**srv** → `method` `tool`` plus a JSON preview. */
export function formatRpcMarkdownMessage(input: RpcMarkdownInput): string {
  const arrow = input.direction === "out" ? "→" : "←";
  let line = `**${input.serverId}** ${arrow} \`${input.method ?? "resp"}\``;
  if (input.toolName !== undefined) line += ` \`${input.toolName}\``;
  let block = "";
  if (input.payloadText !== undefined && input.payloadText !== "") {
    const preview = truncateChars(input.payloadText, PREVIEW_CHARS);
    // A cut preview of an RPC payload (always an object) is never JSON.
    const remainder = preview.length < input.payloadText.length ? undefined : withoutEnvelope(preview, input.payload);
    if (remainder === undefined) line += ` \`${preview}\``;
    else if (remainder !== "{}" && remainder !== '{"params":null}') block = `\n\n${FENCE}json\n${remainder}\n${FENCE}`;
  }
  if (input.error !== undefined && input.error !== "") line += ` ⚠️ \`${input.error}\``;
  return line + block;
}

/** The payload without its top-level `jsonrpc` and `method`, or undefined when it is not JSON. */
function withoutEnvelope(text: string, parsed?: unknown): string | undefined {
  let value: unknown = parsed;
  if (value === undefined) {
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return JSON.stringify(value);
  const { jsonrpc: _jsonrpc, method: _method, ...rest } = value as Record<string, unknown>;
  return JSON.stringify(rest);
}
