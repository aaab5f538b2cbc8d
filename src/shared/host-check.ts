// DNS-rebinding defence for the gateway and the API proxy: listening on loopback, they only answer
// requests whose Host header names loopback too, so a web page cannot reach them through a
// hostile DNS name.

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The hostname part of a Host header ("127.0.0.1:3000" → "127.0.0.1", "[::1]:80" → "[::1]"). */
export function hostname(hostHeader: string): string {
  if (hostHeader.startsWith("[")) return hostHeader.slice(0, hostHeader.indexOf("]") + 1);
  const colon = hostHeader.lastIndexOf(":");
  return colon === -1 ? hostHeader : hostHeader.slice(0, colon);
}

/** Whether to accept a request with this Host header on a listener bound to `listenHost`. */
export function hostAllowed(listenHost: string, hostHeader: string | undefined): boolean {
  if (!isLoopbackHost(listenHost)) return true;
  return hostHeader !== undefined && isLoopbackHost(hostname(hostHeader));
}

/**
 * The MCP transport's DNS-rebinding defence for browsers: an Origin header, when present, must be
 * the gateway's own origin as the request addresses it (the scheme's host and port equal to Host)
 * under a name the gateway is known by: a loopback name or one of `knownNames` (the listen
 * address, gateway.domain). A rebinding page's origin carries the attacker's name, so it fails.
 * Clients that are not browsers send no Origin and pass.
 */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined, knownNames: readonly string[]): boolean {
  if (origin === undefined) return true;
  const url = parsedUrl(origin);
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== origin.toLowerCase()) return false;
  // The Host header normalised the way the URL normalised the origin (default port dropped, lower case).
  const addressed = hostHeader === undefined ? undefined : parsedUrl(`${url.protocol}//${hostHeader}`);
  if (addressed === undefined || addressed.host !== url.host) return false;
  const name = url.hostname.toLowerCase();
  return isLoopbackHost(name) || knownNames.some((known) => known.toLowerCase() === name);
}

function parsedUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
