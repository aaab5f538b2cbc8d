// DNS-rebinding defence: a gateway listening on loopback only answers requests whose Host header
// names loopback too, so a web page cannot reach it through a hostile DNS name.

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
