/**
 * A host a client on this machine can dial to reach a listener bound to `listenHost`: wildcard
 * addresses become 127.0.0.1 (as in the reference's client configuration), IPv6 literals get
 * brackets for use in a URL.
 */
export function dialableHost(listenHost: string): string {
  if (listenHost === "0.0.0.0" || listenHost === "::" || listenHost === "[::]" || listenHost === "") return "127.0.0.1";
  return listenHost.includes(":") && !listenHost.startsWith("[") ? `[${listenHost}]` : listenHost;
}
