// Recognises a backend tools/call result that says the upstream API rate-limited the call
// (gateway.md §3.11), so the circuit breaker can count it. Pure: the caller passes the time.

export interface RateLimitHit {
  /** When the upstream says its limit resets, if the text says so ("rate reset in <N>s"). */
  resetAt?: number;
}

/** Lower-cased phrases any one of which marks an error text as a rate-limit error. */
const RATE_LIMIT_PHRASES = ["rate limit exceeded", "api rate limit", "secondary rate limit", "too many requests"];

const RESET_IN_SECONDS = /rate reset in (\d+)s/;

/**
 * The rate-limit hit a raw tools/call result reports, or null. Only an `isError: true` result
 * counts; its text content items are read together, case-insensitively. `nowMs` is the clock
 * reading (ms since the epoch) that a relative reset time is counted from.
 */
export function detectRateLimit(result: unknown, nowMs: number): RateLimitHit | null {
  if (typeof result !== "object" || result === null || (result as { isError?: unknown }).isError !== true) return null;
  const text = resultText(result).toLowerCase();
  const limited = RATE_LIMIT_PHRASES.some((phrase) => text.includes(phrase)) || (text.includes("rate limit") && text.includes("403"));
  if (!limited) return null;
  const seconds = Number(RESET_IN_SECONDS.exec(text)?.[1] ?? 0);
  return seconds > 0 ? { resetAt: nowMs + seconds * 1000 } : {};
}

function resultText(result: object): string {
  const content = (result as { content?: unknown }).content;
  if (!Array.isArray(content)) return "";
  return content
    .map((item: unknown) =>
      typeof item === "object" && item !== null && typeof (item as { text?: unknown }).text === "string" ? (item as { text: string }).text : "",
    )
    .join("\n");
}
