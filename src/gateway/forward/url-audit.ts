// The URL-domain audit (gateway.md §6.7): the lower-cased host names of every http(s) URL found
// in any string of a JSON value, for observed-url-domains.json.
import type { ForwardMiddleware } from "./forward.ts";
import type { GatewayLogger } from "../../log/index.ts";

const URL_PATTERN = /https?:\/\/[^\s"'<>`]+/gi;
/** Punctuation that ends a sentence or closes a bracket or quote, not the URL. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}"']+$/;

function addDomains(text: string, found: Set<string>): void {
  for (const [match] of text.matchAll(URL_PATTERN)) {
    let host: string;
    try {
      host = new URL(match.replace(TRAILING_PUNCTUATION, "")).hostname;
    } catch {
      continue;
    }
    if (host !== "") found.add(host.toLowerCase());
  }
}

/** Sorted, unique domains of the URLs in every string of `value` (walked without recursion). */
export function urlDomains(value: unknown): string[] {
  const found = new Set<string>();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === "string") addDomains(item, found);
    else if (Array.isArray(item)) pending.push(...item);
    else if (typeof item === "object" && item !== null) pending.push(...Object.values(item));
  }
  // The default order is by UTF-16 code unit, as Go sorts strings.
  return [...found].sort();
}

/** Records the domains in `value` under `key` (a server id, or "write-sink"), if there are any. */
export function auditUrlDomains(logger: GatewayLogger, key: string, value: unknown): void {
  const domains = urlDomains(value);
  if (domains.length > 0) logger.observedUrlDomains?.(key, domains);
}

/** The domains of URLs in every tool result that is not an error, recorded under the server's id. */
export function resultUrlAudit(logger: GatewayLogger): ForwardMiddleware {
  return (next) => async (request) => {
    const result = await next(request);
    if (request.method === "tools/call" && result.isError !== true) auditUrlDomains(logger, request.serverId, result);
    return result;
  };
}

/**
 * The arguments of every tools/call that reaches a write-sink server, audited under "write-sink".
 * It goes inside the enforcement middleware, so a call the policy refuses is not counted.
 */
export function writeSinkUrlAudit(writeSinkServerIds: ReadonlySet<string>, logger: GatewayLogger): ForwardMiddleware {
  return (next) => (request) => {
    if (request.method === "tools/call" && writeSinkServerIds.has(request.serverId)) {
      auditUrlDomains(logger, "write-sink", request.params?.["arguments"]);
    }
    return next(request);
  };
}
