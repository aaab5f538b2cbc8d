// The text formats of the log files and of operational console output (gateway.md §6.2, §6.10).
import type { LogLevel } from "./types.ts";

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators: each can end a line in
// some viewer, so text that carries one could forge a whole log line of its own (or, like ESC,
// rewrite what a terminal shows).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_CHARACTERS_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeControl(char: string): string {
  return SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every control character written as an escape (`\n`, `\r`, `\t`, `\u0000`), so it
 * stays on one line; `keepNewlines` leaves LF alone for formats that indent continuation lines.
 */
export function escapeControlCharacters(text: string, options?: { keepNewlines?: boolean }): string {
  return text.replace(options?.keepNewlines === true ? CONTROL_CHARACTERS_BUT_NEWLINE : CONTROL_CHARACTERS, escapeControl);
}

// A logged call writes several lines in the same millisecond: each formats its time once.
let formattedTime = Number.NaN;
let formattedText = "";

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, the timestamp of every log file. */
export function formatTimestamp(date: Date): string {
  const time = date.getTime();
  if (time !== formattedTime) {
    formattedText = date.toISOString();
    formattedTime = time;
  }
  return formattedText;
}

/** One line of mcp-gateway.log or <serverID>.log: `[<ts>] [<LEVEL>] [<category>] <message>\n`. */
export function formatTextLine(date: Date, level: LogLevel, category: string, message: string): string {
  return `[${formatTimestamp(date)}] [${level.toUpperCase()}] [${escapeControlCharacters(category)}] ${escapeControlCharacters(message)}\n`;
}

/** A stderr line in Go's default `log` layout, local time: `YYYY/MM/DD HH:MM:SS <message>\n`. */
export function formatConsoleLine(date: Date, message: string): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const day = `${date.getFullYear()}/${pad(date.getMonth() + 1)}/${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day} ${time} ${escapeControlCharacters(message)}\n`;
}
