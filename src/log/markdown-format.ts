// Entries of gateway.md, the markdown summary a workflow step shows (gateway.md §6.3). Every
// logged field is escaped for where it stands: plain text backslash-escapes Markdown and HTML,
// code spans and fenced blocks take a fence longer than any run of backticks inside them, and
// control characters are written as escapes. So no field can end its code span or the
// `<details>` block the summary sits in, or start an entry of its own.
import { escapeControlCharacters } from "./line-format.ts";
import type { LogLevel } from "./types.ts";

export const MARKDOWN_HEADER = "<details>\n<summary>MCP Gateway</summary>\n\n";
export const MARKDOWN_FOOTER = "\n</details>\n";

const LEVEL_EMOJI: Record<LogLevel, string> = { info: "✓", warn: "⚠️", error: "✗", debug: "🔍" };

// The characters that can start emphasis, code, links, tables, strikethrough or HTML (entities included) mid-line.
const MARKDOWN_SPECIAL = /[\\`*_[\]<>&|~!]/g;

/** `text` as literal Markdown text on one line. */
function markdownText(text: string): string {
  return escapeControlCharacters(text).replace(MARKDOWN_SPECIAL, "\\$&");
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/** `text` as one code span, shown verbatim whatever backticks it holds. */
function inlineCode(text: string): string {
  const clean = escapeControlCharacters(text);
  const fence = "`".repeat(longestBacktickRun(clean) + 1);
  // A span's content may not begin or end with a backtick next to its fence; one space each side is stripped when rendered.
  const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** `text` as a fenced code block, its lines kept, no line of it able to close the fence. */
function codeBlock(text: string, info = ""): string {
  const clean = escapeControlCharacters(text, { keepNewlines: true });
  const fence = "`".repeat(Math.max(3, longestBacktickRun(clean) + 1));
  return `${fence}${info}\n${clean}\n${fence}`;
}

function indentContinuation(text: string): string {
  return text.replaceAll("\n", "\n  ");
}

/** One list item of gateway.md for an already sanitised message, newline included. */
export function formatMarkdownEntry(level: LogLevel, category: string, message: string): string {
  const emoji = LEVEL_EMOJI[level];
  if (message.includes("\n") || message.includes("command=") || message.includes("args=")) {
    return `- ${emoji} **${markdownText(category)}**\n  ${indentContinuation(codeBlock(message))}\n`;
  }
  return `- ${emoji} **${markdownText(category)}** ${markdownText(message)}\n`;
}

/** The list item of an RPC entry, from formatRpcMarkdownMessage's already escaped message. */
export function formatRpcMarkdownEntry(message: string): string {
  return `- ${LEVEL_EMOJI.debug} rpc ${indentContinuation(message)}\n`;
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
  let line = `**${markdownText(input.serverId)}** ${arrow} ${inlineCode(input.method ?? "resp")}`;
  if (input.toolName !== undefined) line += ` ${inlineCode(input.toolName)}`;
  let block = "";
  if (input.payloadText !== undefined && input.payloadText !== "") {
    const preview = truncateChars(input.payloadText, PREVIEW_CHARS);
    // A cut preview of an RPC payload (always an object) is never JSON.
    const remainder = preview.length < input.payloadText.length ? undefined : withoutEnvelope(preview, input.payload);
    if (remainder === undefined) line += ` ${inlineCode(preview)}`;
    else if (remainder !== "{}" && remainder !== '{"params":null}') block = `\n\n${codeBlock(remainder, "json")}`;
  }
  if (input.error !== undefined && input.error !== "") line += ` ⚠️ ${inlineCode(input.error)}`;
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
