// State store URLs as flowgate accepts and shows them, apart from the Redis client so that a
// start without shared state never loads it.

const STATE_URL_SCHEMES = ["redis:", "rediss:", "unix:"];

/** Why a state URL cannot be used, or undefined when it can. */
export function stateUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not quoted: where a password sits in text that is not a URL cannot be told.
    return "not a URL (not quoted here: it may hold the password): expected redis://host:port, rediss://host:port or unix:///path/to/redis.sock";
  }
  if (!STATE_URL_SCHEMES.includes(parsed.protocol)) {
    return `unsupported scheme "${parsed.protocol}": expected redis://host:port, rediss://host:port or unix:///path/to/redis.sock`;
  }
  if (parsed.protocol === "unix:" && parsed.pathname === "") return "a unix:// URL needs the socket's path, e.g. unix:///run/redis/redis.sock";
  return undefined;
}
