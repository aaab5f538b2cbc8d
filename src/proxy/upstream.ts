// The GitHub API behind the proxy (gateway.md §7.2 steps 8, 10 and 11): forwarding a request,
// and answering the guard's enrichment calls (call_backend) with REST reads.
import type { BackendCaller } from "../guard/index.ts";
import { readBoundedBody } from "../shared/index.ts";

const UPSTREAM_TIMEOUT_MS = 60_000;
/** Larger answers are refused rather than held in memory to be labelled. */
export const MAX_UPSTREAM_BYTES = 64 * 1024 * 1024;
/** Headers of the upstream answer that reach the client; everything else is the proxy's own. */
const FORWARDED_RESPONSE_HEADERS = [
  "content-type",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "x-ratelimit-resource",
  "x-ratelimit-used",
  "link",
  "x-github-request-id",
];
const MAX_RETRY_AFTER_S = 3600;
const DEFAULT_RETRY_AFTER_S = 60;

export interface UpstreamAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Set when the answer is rate-limited: seconds the client should wait. */
  retryAfter?: number;
}

export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
}

export interface Upstream {
  readonly apiUrl: string;
  /** Where GraphQL requests go: `<api>/graphql`, or `<base>/api/graphql` for a GitHub Enterprise Server base. */
  readonly graphqlUrl: string;
  /** The API's host (REST and GraphQL share it), for spans. */
  readonly host: string;
  send(request: {
    method: string;
    url: string;
    authorization: string | undefined;
    contentType?: string | undefined;
    body?: Buffer | undefined;
    signal: AbortSignal;
  }): Promise<UpstreamAnswer>;
  /** The guard's call_backend, answered with REST reads and the fallback token (else the client's). */
  backendCaller(clientAuthorization: string | undefined): BackendCaller;
}

export function createUpstream(apiUrl: string, fallbackToken: string | undefined, fetchImpl: typeof fetch = fetch): Upstream {
  const base = apiUrl.replace(/\/+$/, "");
  const graphqlUrl = base.endsWith("/api/v3") ? `${base.slice(0, -"/v3".length)}/graphql` : `${base}/graphql`;
  const fallbackAuthorization = fallbackToken ? `token ${fallbackToken}` : undefined;

  const send: Upstream["send"] = async ({ method, url, authorization, contentType, body, signal }) => {
    const headers: Record<string, string> = { Accept: "application/vnd.github+json", "User-Agent": "awmg/1.0" };
    const credential = authorization ?? fallbackAuthorization;
    if (credential !== undefined) headers["Authorization"] = credential;
    if (contentType !== undefined) headers["Content-Type"] = contentType;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers,
        ...(body !== undefined && body.length > 0 ? { body: new Uint8Array(body) } : {}),
        signal: AbortSignal.any([signal, AbortSignal.timeout(UPSTREAM_TIMEOUT_MS)]),
      });
    } catch (error) {
      throw new UpstreamError(`upstream request failed: ${failureReason(error)}`, { cause: error });
    }
    const answer: UpstreamAnswer = { status: response.status, headers: {}, body: await boundedBody(response) };
    for (const name of FORWARDED_RESPONSE_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) answer.headers[name] = value;
    }
    if (response.status === 429 || response.headers.get("x-ratelimit-remaining") === "0") {
      answer.retryAfter = retryAfterSeconds(response.headers.get("x-ratelimit-reset"));
    }
    return answer;
  };

  return {
    apiUrl: base,
    graphqlUrl,
    host: new URL(base).host,
    send,
    backendCaller(clientAuthorization) {
      const authorization = fallbackAuthorization ?? clientAuthorization;
      return async (toolName, args, signal) => {
        const path = enrichmentPath(toolName, args);
        const answer = await send({ method: "GET", url: `${base}${path}`, authorization, signal });
        if (answer.status >= 300) throw new Error(`${toolName}: GET ${path.split("?")[0]} returned status ${answer.status}`);
        return { content: [{ type: "text", text: answer.body.toString("utf8") }] };
      };
    },
  };
}

/** The REST read that answers one of the four tools the reference's guard calls (guard-abi.md §4.1). */
function enrichmentPath(toolName: string, args: unknown): string {
  const fields = typeof args === "object" && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
  const part = (name: string): string => {
    const value = fields[name];
    if ((typeof value !== "string" || value === "") && typeof value !== "number") {
      throw new Error(`${toolName}: argument "${name}" must be a non-empty string or a number`);
    }
    return encodeURIComponent(String(value));
  };
  switch (toolName) {
    case "issue_read":
      return `/repos/${part("owner")}/${part("repo")}/issues/${part("issue_number")}`;
    case "pull_request_read":
      return `/repos/${part("owner")}/${part("repo")}/pulls/${part("pullNumber")}`;
    case "get_collaborator_permission":
      return `/repos/${part("owner")}/${part("repo")}/collaborators/${part("username")}/permission`;
    case "search_repositories": {
      const perPage = typeof fields["perPage"] === "number" ? `&per_page=${fields["perPage"]}` : "";
      return `/search/repositories?q=${part("query")}${perPage}`;
    }
    default:
      throw new Error(`${toolName}: the proxy answers only issue_read, pull_request_read, search_repositories and get_collaborator_permission`);
  }
}

async function boundedBody(response: Response): Promise<Buffer> {
  const body = await readBoundedBody(response, MAX_UPSTREAM_BYTES);
  if (body === undefined) throw new UpstreamError(`upstream response larger than ${MAX_UPSTREAM_BYTES} bytes`);
  return body;
}

function retryAfterSeconds(reset: string | null): number {
  const resetAt = Number(reset);
  if (!reset || !Number.isFinite(resetAt)) return DEFAULT_RETRY_AFTER_S;
  const seconds = Math.ceil(resetAt - Date.now() / 1000) + 1;
  return Math.min(MAX_RETRY_AFTER_S, Math.max(1, seconds));
}

function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
