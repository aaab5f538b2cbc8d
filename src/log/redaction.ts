// What the log files write in place of text that may carry an agent's secret.
import { createHash } from "node:crypto";

/**
 * Stands for agent-chosen text (a tool or method name, a resource description made from the
 * arguments) in a text log line while the agent holds secrecy tags: the text may spell out what
 * the agent read. The hash prefix still tells two such values apart, and lets someone who holds
 * the text confirm it.
 */
export function secrecyMarker(text: string): string {
  return `(redacted: secrecy, sha256 ${createHash("sha256").update(text).digest("hex").slice(0, 16)})`;
}
