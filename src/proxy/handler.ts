// One HTTP request through the proxy (gateway.md §7.2): health, /reflect, writes passed through,
// reads mapped to a guard tool, labelled and coarse-checked, forwarded, and their JSON answers
// filtered item by item before the client sees them.
import type { IncomingMessage, ServerResponse } from "node:http";
import { secrecyMarker, type GatewayLogger } from "../log/index.ts";
import { errorText, hostAllowed, MAX_JSON_NESTING, nestsDeeperThan, originAllowed, stringOrUndefined } from "../shared/index.ts";
import type { SpanHandle, Tracing } from "../telemetry/tracing/index.ts";
import { ProxyRefusal, difcForbidden, type AnswerShape, type CheckedRead, type ProxyEnforcer } from "./enforcer.ts";
import { classifyGraphql, withAuthorFields } from "./graphql.ts";
import { matchRestRoute, type GuardToolCall, type RestRoute } from "./rest-routes.ts";
import { UpstreamError, type Upstream, type UpstreamAnswer } from "./upstream.ts";

/** Largest request body the proxy reads (a GraphQL query or a write); GitHub's own limits are lower. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

const PASSTHROUGH_PATHS = new Set(["/meta", "/rate_limit", "/octocat", "/zen", "/versions"]);
const GRAPHQL_PATHS = new Set(["/graphql", "/api/graphql"]);
const API_PREFIX = "/api/v3";
/** Paths the proxy answers or forwards as they are, whatever they are asked with: spans show them as they are. */
const FIXED_PATHS: ReadonlySet<string> = new Set(["/health", "/healthz", "/reflect", ...GRAPHQL_PATHS, ...PASSTHROUGH_PATHS]);

const UNRECOGNIZED_GRAPHQL = { data: null, errors: [{ message: "access denied: unrecognized GraphQL operation" }] };

export interface ProxyHandlerOptions {
  enforcer: ProxyEnforcer;
  upstream: Upstream;
  logger: GatewayLogger;
  /** The host the proxy listens on: on loopback, Host and Origin must name loopback too. */
  listenHost: string;
  /** Where each request, its DIFC pipeline and its upstream call are traced (gateway.md §8's proxy spans). */
  tracing: Tracing;
}

export function proxyHandler(options: ProxyHandlerOptions): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    // The gateway's DNS-rebinding defence: a page in the user's browser must not use the proxy's
    // fallback token through a name rebound to 127.0.0.1.
    const { host, origin } = request.headers;
    if (!hostAllowed(options.listenHost, host) || !originAllowed(origin, host, [options.listenHost])) {
      return sendJson(response, 403, { message: "Forbidden: the Host or Origin header does not name this proxy (DNS-rebinding defence)" });
    }
    const abort = new AbortController();

    response.on("close", () => abort.abort());
    const attributes = { "http.request.method": request.method };
    const incoming = { traceparent: stringOrUndefined(request.headers.traceparent) };
    void options.tracing.span(
      "proxy.request",
      "server",
      attributes,
      async (span) => {
        await handle(options, request, response, abort.signal, span).catch(async (error: unknown) => {
          const refusal = toRefusal(error);
          if (refusal.status >= 500) options.logger.log("error", "proxy", await failureLine(options.enforcer, request, refusal));
          sendJson(response, refusal.status, refusal.body);
        });
        span.set({ "http.response.status_code": response.statusCode });
        if (response.statusCode >= 500) span.fail(`HTTP ${response.statusCode}`);
      },
      incoming,
    );
  };
}

/**
 * What the proxy's spans say a request asked for. They go to a collector whose readers may not be
 * cleared for what the agent reads, as the gateway's do (src/gateway/http/router.ts): a REST
 * path names the repository, issue, file or label (a private repository's name is itself
 * private, and a tainted agent can spell what it read in a path), so spans get the route's shape
 * with those parts as `{owner}`, `{repo}`, `{issue_number}`…, a fixed path as it is, and
 * "other" for any other path. The shape keeps what a trace is read for: which endpoint, how long.
 */
function spanRoute(trimmed: string, rest: RestRoute | null): string {
  return FIXED_PATHS.has(trimmed) ? trimmed : (rest?.shape ?? "other");
}

async function handle(
  options: ProxyHandlerOptions,
  request: IncomingMessage,
  response: ServerResponse,
  signal: AbortSignal,
  requestSpan: SpanHandle,
): Promise<void> {
  const { enforcer, upstream, logger } = options;
  const target = new URL(request.url ?? "/", "http://proxy.invalid");
  // Empty segments are collapsed, so `/repos//o/r` is matched (and forwarded) as `/repos/o/r`.
  let path = target.pathname.replace(/\/{2,}/g, "/");
  if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) path = path.slice(API_PREFIX.length) || "/";
  const method = request.method ?? "GET";
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  // Matched once for every path (a write's too), for the span and, on a read, its guard tool.
  const rest = FIXED_PATHS.has(trimmed) ? null : matchRestRoute(trimmed, target.searchParams);
  const route = spanRoute(trimmed, rest);
  requestSpan.set({ "http.route": route });

  if (trimmed === "/health" || trimmed === "/healthz") return sendJson(response, 200, { status: "ok" });
  if (method === "GET" && trimmed === "/reflect") return sendJson(response, 200, await enforcer.reflect());

  const isGraphql = GRAPHQL_PATHS.has(trimmed);
  const url = isGraphql ? upstream.graphqlUrl : `${upstream.apiUrl}${path}${target.search}`;
  const authorization = request.headers.authorization;
  const contentType = request.headers["content-type"];
  const isRead = method === "GET" || (method === "POST" && isGraphql);

  if (!isRead || (method === "GET" && PASSTHROUGH_PATHS.has(trimmed))) {
    const body = await readBody(request);
    logger.log("info", "proxy", `${method} ${await loggedPath(enforcer, path)} passed through`);
    return sendAnswer(response, await upstream.send({ method, url, authorization, contentType, body, signal }), logger);
  }

  let call: GuardToolCall;
  let shape: AnswerShape = "rest";
  let body: Buffer | undefined;
  if (isGraphql) {
    shape = "graphql";
    const raw = await readBody(request);
    const parsed = parseJson(raw.toString("utf8"));
    if (parsed === undefined) {
      return sendJson(response, 400, { data: null, errors: [{ message: 'request body is not JSON: send {"query": "…", "variables": {…}}' }] });
    }
    if (nestsDeeperThan(parsed, MAX_JSON_NESTING)) {
      const message = `request body nests arrays and objects more than ${MAX_JSON_NESTING} levels deep: send flatter variables`;
      return sendJson(response, 400, { data: null, errors: [{ message }] });
    }
    const operation = classifyGraphql(parsed);
    if (operation.kind === "mutation" || operation.kind === "introspection") {
      logger.log("info", "proxy", `GraphQL ${operation.kind} passed through`);
      return sendAnswer(response, await upstream.send({ method, url, authorization, contentType, body: raw, signal }), logger);
    }
    if (operation.kind === "unrecognized") {
      logger.log("warn", "proxy", "GraphQL operation not recognised: refused");
      return sendJson(response, 403, UNRECOGNIZED_GRAPHQL);
    }
    if (operation.kind === "several-sources") {
      logger.log("warn", "proxy", `GraphQL read with ${operation.count} sources of data: refused`);
      const message = `access denied: a GraphQL read may query one repository, search, user or organization, this one queries ${operation.count}; send one query for each`;
      return sendJson(response, 403, { data: null, errors: [{ message }] });
    }
    call = operation.call;
    const document = parsed as Record<string, unknown>;
    body = Buffer.from(JSON.stringify({ ...document, query: withAuthorFields(document["query"] as string) }));
  } else {
    if (rest === null) {
      logger.unrecognizedEndpoint?.(method, await loggedPath(enforcer, path));
      return sendAnswer(response, await upstream.send({ method, url, authorization, signal }), logger);
    }
    call = rest.call;
  }

  const backend = upstream.backendCaller(authorization);
  const toolAttributes = { "gen_ai.tool.name": call.toolName, "http.route": route };
  const pipeline = async (span: SpanHandle): Promise<UpstreamAnswer> => {
    const read: CheckedRead = await enforcer.check(call, backend, signal);
    span.event("difc.pre_phases_complete");
    const forwarded = { "server.address": upstream.host, ...toolAttributes };
    const answer = await options.tracing.span("proxy.backend.forward", "client", forwarded, async (forward) => {
      const sent = await upstream.send({ method, url, authorization, contentType: isGraphql ? "application/json" : undefined, body, signal });
      forward.set({ "http.response.status_code": sent.status, "rate_limit.hit": sent.retryAfter !== undefined });
      return sent;
    });
    const text = answer.body.toString("utf8");
    const json = answer.status < 300 ? parseJson(text) : undefined;
    if (json === undefined) {
      // Nothing here can be labelled item by item, so a read that failed the coarse check gets
      // nothing (the reference passes a non-JSON answer, a log archive say, through regardless).
      if (answer.status < 300 && read.coarse.kind !== "allowed") throw difcForbidden(read.coarse.evaluation.reason);
      return answer;
    }
    const filtered = await enforcer.filter(read, text, json, shape, signal);
    // Asked after filter, which in propagate mode adds this read's tags to the agent: a read that taints it is not named either.
    logger.log("info", "proxy", `${method} ${await loggedPath(enforcer, path)} read as ${call.toolName}`);
    return filtered === json ? answer : { ...answer, body: Buffer.from(JSON.stringify(filtered)) };
  };
  const answer = await options.tracing.span("proxy.difc_pipeline", "internal", toolAttributes, (span) =>
    pipeline(span).catch((error: unknown) => {
      // The refusal's kind, not its text: the text may name what the agent asked for.
      if (error instanceof ProxyRefusal && error.status === 403) span.event("difc.access_denied", { reason: refusalKind(error) });
      throw error;
    }),
  );
  sendAnswer(response, answer, logger);
}

/**
 * A request path as the log may quote it. A path names the repository, issue, file or label the
 * agent reads, and the agent chooses it: while the agent holds secrecy tags it may have spelt what
 * it read there, so the log gets the gateway's redaction marker instead (docs/security.md).
 */
async function loggedPath(enforcer: ProxyEnforcer, path: string): Promise<string> {
  return (await enforcer.holdsSecrecy()) ? secrecyMarker(path) : path;
}

/**
 * The ERROR line of a request that failed on the proxy's side. While the agent holds secrecy tags,
 * the refusal's kind stands for its message, which may quote a guard's text or, from whatever threw,
 * the request (a label_resource failure has its own line, with the failure's kind).
 */
async function failureLine(enforcer: ProxyEnforcer, request: IncomingMessage, refusal: ProxyRefusal): Promise<string> {
  const path = pathOnly(request.url);
  if (!(await enforcer.holdsSecrecy())) return `${request.method} ${path}: ${refusal.message}`;
  return `${request.method} ${secrecyMarker(path)}: ${refusalKind(refusal)} (the message is not logged: the agent holds secrecy tags)`;
}

function refusalKind(refusal: ProxyRefusal): string {
  const body = refusal.body as { error?: unknown } | null;
  return typeof body?.error === "string" ? body.error : "forbidden";
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) {
        chunks.push(chunk);
        return;
      }
      // The rest is read and dropped, so the client gets the 413 instead of a reset connection.
      if (!refused) {
        refused = true;
        chunks = [];
        reject(new ProxyRefusal(413, { error: "payload_too_large", message: `request body larger than ${MAX_REQUEST_BYTES} bytes` }, "request too large"));
      }
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function sendAnswer(response: ServerResponse, answer: UpstreamAnswer, logger: GatewayLogger): void {
  if (response.headersSent || response.destroyed) return;
  const headers: Record<string, string> = { ...answer.headers, "content-length": String(answer.body.length) };
  if (answer.retryAfter !== undefined) {
    headers["retry-after"] = String(answer.retryAfter);
    logger.log("error", "client", `GitHub API rate limit reached (status ${answer.status}): clients are told to retry after ${answer.retryAfter} s`);
  }
  response.writeHead(answer.status, headers);
  response.end(answer.body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  response.end(text);
}

function toRefusal(error: unknown): ProxyRefusal {
  if (error instanceof ProxyRefusal) return error;
  if (error instanceof UpstreamError) return new ProxyRefusal(502, { error: "bad_gateway", message: "upstream request failed" }, error.message);
  const message = errorText(error);
  return new ProxyRefusal(500, { error: "internal_error", message: "the proxy failed to handle the request" }, message);
}

/** The path of a request URL without its query string, which may carry search terms. */
function pathOnly(url: string | undefined): string {
  return (url ?? "/").split("?")[0] ?? "/";
}
