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

/**
 * Records the domains in `value` under `key` (a server id, or "write-sink"), if there are any. A
 * `sensitive` value (sent or received by an agent holding secrecy tags) may spell out a secret as
 * a host name: its domains are only counted, in a warning, as the log files keep such payloads out.
 */
function auditUrlDomains(logger: GatewayLogger, key: string, value: unknown, sensitive: boolean): void {
  const domains = urlDomains(value);
  if (domains.length === 0) return;
  if (sensitive)
    logger.log(
      "warn",
      "backend",
      `URL domain audit: ${domains.length} domain(s) under ${key} not recorded: the payload is secret (the agent holds secrecy tags)`,
    );
  else logger.observedUrlDomains?.(key, domains);
}

/**
 * The domains of URLs in every tool result that is not an error, recorded under the server's id.
 * A tainted agent's result may carry what it read (propagate mode taints on the read itself), so
 * its domains are only counted; `agentHoldsSecrets` is absent when there is no enforcement.
 */
export function resultUrlAudit(logger: GatewayLogger, agentHoldsSecrets?: (agentId: string) => Promise<boolean>): ForwardMiddleware {
  return (next) => async (request) => {
    const result = await next(request);
    if (request.method === "tools/call" && result.isError !== true) {
      const sensitive = (await agentHoldsSecrets?.(request.agentId).catch(() => true)) ?? false;
      auditUrlDomains(logger, request.serverId, result, sensitive);
    }
    return result;
  };
}

/**
 * The arguments of every tools/call that reaches a write-sink server, audited under "write-sink".
 * It goes inside the enforcement middleware, so a call the policy refuses is not counted.
 */
export function writeSinkUrlAudit(
  writeSinkServerIds: ReadonlySet<string>,
  logger: GatewayLogger,
  agentHoldsSecrets: (agentId: string) => Promise<boolean>,
): ForwardMiddleware {
  return (next) => async (request) => {
    if (request.method === "tools/call" && writeSinkServerIds.has(request.serverId)) {
      const sensitive = await agentHoldsSecrets(request.agentId).catch(() => true);
      auditUrlDomains(logger, "write-sink", request.params?.["arguments"], sensitive);
    }
    return next(request);
  };
}
