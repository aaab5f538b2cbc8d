// The text formats of the log files and of operational console output (gateway.md §6.2, §6.10).
import type { LogLevel } from "./types.ts";

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, the timestamp of every log file. */
export function formatTimestamp(date: Date): string {
  return date.toISOString();
}

/** One line of mcp-gateway.log or <serverID>.log: `[<ts>] [<LEVEL>] [<category>] <message>\n`. */
export function formatTextLine(date: Date, level: LogLevel, category: string, message: string): string {
  return `[${formatTimestamp(date)}] [${level.toUpperCase()}] [${category}] ${message}\n`;
}

/** A stderr line in Go's default `log` layout, local time: `YYYY/MM/DD HH:MM:SS <message>\n`. */
export function formatConsoleLine(date: Date, message: string): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const day = `${date.getFullYear()}/${pad(date.getMonth() + 1)}/${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day} ${time} ${message}\n`;
}
