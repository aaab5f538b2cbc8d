/**
 * A URL as a message, a log line or a span may show it. Its user info and its query may carry a
 * key (a collector's token; the state store's password, which the Redis client also takes from
 * `?password=`): each is shown as "***", so the reader sees that one was given but not what it
 * is, and a fragment is dropped. Text that is not a URL is not quoted at all: where a secret sits
 * in it cannot be told.
 */
export function urlWithoutSecrets(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "(invalid URL)";
  }
  const userInfo = parsed.username !== "" || parsed.password !== "" ? "***@" : "";
  const query = parsed.search !== "" ? "?***" : "";
  // The parser gives a URL written without a path the path "/": it is shown as it was written.
  const path = parsed.pathname === "/" && !url.replace(/[?#].*$/s, "").endsWith("/") ? "" : parsed.pathname;
  return `${parsed.protocol}//${userInfo}${parsed.host}${path}${query}`;
}
