// A call's log lines as records in the shared call buffer, after the output, so they reach the
// host without a message (receiving one costs the host several µs per call). Each record is a
// level byte, the message's UTF-8 length as a u32 (little-endian), then the message.
import type { LogLevel } from "../../log/index.ts";
import type { LogLine } from "./messages.ts";

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];
const HEADER_BYTES = 5;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes the lines into `target`; returns the bytes written, or undefined if they do not fit. */
export function writeLogRecords(lines: readonly LogLine[], target: Uint8Array): number | undefined {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  let at = 0;
  for (const { level, message } of lines) {
    if (at + HEADER_BYTES > target.length) return undefined;
    const { read, written } = encoder.encodeInto(message, target.subarray(at + HEADER_BYTES));
    if (read < message.length) return undefined;
    target[at] = LEVELS.indexOf(level);
    view.setUint32(at + 1, written, true);
    at += HEADER_BYTES + written;
  }
  return at;
}

export function readLogRecords(source: Uint8Array): LogLine[] {
  const view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  const lines: LogLine[] = [];
  for (let at = 0; at < source.length;) {
    const length = view.getUint32(at + 1, true);
    const start = at + HEADER_BYTES;
    lines.push({ level: LEVELS[source[at] as number] ?? "debug", message: decoder.decode(source.subarray(start, start + length)) });
    at = start + length;
  }
  return lines;
}
