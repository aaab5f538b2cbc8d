/**
 * A URL as a message or a span may show it: no user info or query, which may carry a key (a
 * collector's token, a backend's password). Text that is not a URL is not quoted at all.
 */
export function urlWithoutSecrets(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}
