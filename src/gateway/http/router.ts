import type { IncomingMessage, ServerResponse } from "node:http";
import type { Backend } from "../../backends/index.ts";
import type { GatewayConfig, RuntimeOptions } from "../../config/index.ts";
import { StateUnavailableError } from "../../difc/index.ts";
import type { GatewayLogger } from "../../log/index.ts";
import { checkAuthorization } from "./auth.ts";
import { healthDocument, type GuardHealthEntry, type StateHealthEntry } from "./health.ts";
import { sendJson, sendText } from "./json-response.ts";
import type { McpEndpoint } from "../sessions/index.ts";
import type { LiveViewRoutes } from "./live-view.ts";
import { handleMcpRequest } from "./mcp-endpoint.ts";
import type { SessionRegistry } from "./session-registry.ts";
import { hostAllowed, originAllowed, observesSteps, rfc3339Seconds, stringOrUndefined, type ObservedAttributes, type Observer } from "../../shared/index.ts";

export type ReflectAgents = Record<string, { secrecy: string[]; integrity: string[] }>;

export interface RouterContext {
  config: GatewayConfig;
  runtime: RuntimeOptions;
  agentId: string;
  version: string;
  /** Milliseconds since the epoch when the gateway started listening, for /health's uptime. */
  startedAt: number;
  backends: ReadonlyMap<string, Backend>;
  sessions: SessionRegistry;
  logger: GatewayLogger;
  /** Writes one line to the gateway's stderr. */
  stderr: (line: string) => void;
  endpointFor(path: string): McpEndpoint | undefined;
  reflect: () => ReflectAgents | Promise<ReflectAgents>;
  /** Each server's guard and its state, shown in /health. */
  guardStatus: () => Record<string, GuardHealthEntry>;
  /** The shared DIFC state's health, shown in /health; undefined when the state is in memory. */
  stateHealth?: () => StateHealthEntry | undefined;
  /** The live view under /ui; undefined when the gateway serves none. */
  liveView?: LiveViewRoutes;
  isShuttingDown(): boolean;
  /** Starts the graceful shutdown /close asks for; false when it already ran. */
  requestClose(): boolean;
  /** Where each request is reported as an "http.request" step; by default nowhere. */
  observer?: Observer;
}

/**
 * Where OAuth clients look for an authorization server (RFC 8414, RFC 9728, OpenID discovery) and,
 * finding none, the 2025-03-26 fallback endpoints. MCP clients that meet a 401 (MCP Inspector,
 * mcp-remote) walk these paths and end by showing the body of the last answer, POST /register.
 */
const OAUTH_PATH =
  /^(?:\/mcp)?\/\.well-known\/(?:oauth-authorization-server|oauth-protected-resource|openid-configuration)(?:\/|$)|^\/(?:register|authorize|token)$/;

/** Still a 404, so discovery ends as it would on any server without OAuth; the body says what to do instead. */
const NO_OAUTH = {
  error: "oauth_not_supported",
  message:
    "flowgate does not use OAuth. A 401 from it means the Authorization header was missing or wrong: " +
    'send the gateway\'s API key (its agent id) as the whole header value, with no "Bearer " prefix.',
};

/**
 * Dispatches one HTTP request: /health, /reflect, /close, the live view (/ui), the MCP routes, or 404. The Host and
 * Origin checks come first on every route, so a page reached through DNS rebinding gets nothing,
 * not even a 404 that tells it a gateway is there.
 */
export async function route(req: IncomingMessage, res: ServerResponse, ctx: RouterContext, path = requestPath(req)): Promise<void> {
  if (!hostAllowed(ctx.runtime.listenHost, req.headers.host)) {
    return sendText(res, 403, `Forbidden: invalid Host header "${req.headers.host ?? ""}"`);
  }
  const origin = req.headers.origin;
  if (!originAllowed(origin, req.headers.host, knownNames(ctx))) {
    return sendJson(res, 403, {
      error: "forbidden",
      message: `Origin "${origin ?? ""}" is not allowed: a browser may call the gateway only from its own origin (http://${req.headers.host ?? "localhost"})`,
    });
  }
  if (path === "/health") {
    const { backends, version, startedAt } = ctx;
    return sendJson(
      res,
      200,
      healthDocument({ backends: backends.values(), gatewayVersion: version, startedAt, guards: ctx.guardStatus(), state: ctx.stateHealth?.() }),
    );
  }
  if (path === "/reflect") {
    // The agents' labels are the credential's business; /reflect asks for it as /mcp does.
    if (!authorized(req, res, ctx, path)) return;
    const agents = await Promise.resolve(ctx.reflect()).catch((error: unknown) => {
      if (error instanceof StateUnavailableError) return error;
      throw error;
    });
    if (agents instanceof StateUnavailableError) return sendJson(res, 503, { error: "state_unavailable", message: agents.message });
    return sendJson(res, 200, { agents, mode: ctx.runtime.guardsMode, timestamp: rfc3339Seconds(new Date()) });
  }
  if (path === "/close") {
    if (!authorized(req, res, ctx, path)) return;
    if (req.method !== "POST") return sendJson(res, 405, { error: "method_not_allowed", message: "method not allowed" });
    if (!ctx.requestClose()) return sendJson(res, 410, { error: "Gateway has already been closed" });
    return sendJson(res, 200, { message: "Gateway shutdown initiated", serversTerminated: ctx.config.servers.length, status: "closed" });
  }
  if (ctx.liveView && (path === "/ui" || path.startsWith("/ui/"))) {
    return ctx.liveView.handle(req, res, path, () => authorized(req, res, ctx, path));
  }
  if (OAUTH_PATH.test(path)) return sendJson(res, 404, NO_OAUTH);
  const endpoint = ctx.endpointFor(path);
  if (!endpoint) return sendText(res, 404, "404 page not found\n");
  if (!authorized(req, res, ctx, path)) return;
  if (ctx.isShuttingDown()) return sendJson(res, 503, { error: "Gateway is shutting down" });
  await handleMcpRequest(req, res, endpoint, ctx.sessions, ctx.logger, ctx.runtime.limits.maxMessageBytes);
}

/** route() reported as one "http.request" step, with what a trace needs to join the caller's. */
export async function observedRoute(req: IncomingMessage, res: ServerResponse, ctx: RouterContext): Promise<void> {
  const { observer } = ctx;
  if (observer === undefined || !observesSteps(observer)) return route(req, res, ctx);
  const path = requestPath(req);
  return observer.step("http.request", requestAttributes(req, ctx, path), async (step) => {
    try {
      await route(req, res, ctx, path);
    } catch (error) {
      step.set({ status: 500 });
      throw error;
    }
    step.set({ status: res.statusCode });
  });
}

/** The paths besides the MCP routes that the gateway answers as they are. */
const SERVED_PATHS: ReadonlySet<string> = new Set(["/health", "/reflect", "/close", "/ui", "/ui/", "/ui/app.js", "/ui/style.css", "/ui/state", "/ui/events"]);

function requestPath(req: IncomingMessage): string {
  return new URL(req.url ?? "/", "http://gateway").pathname;
}

function requestAttributes(req: IncomingMessage, ctx: RouterContext, path: string): ObservedAttributes {
  const header = (name: string) => stringOrUndefined(req.headers[name]);
  const endpoint = ctx.endpointFor(path);
  const sessionId = header("mcp-session-id");
  const route = endpoint === undefined ? undefined : ctx.runtime.mode === "unified" ? "unified" : `routed:${endpoint.route.slice("/mcp/".length)}`;
  return {
    method: req.method,
    // Spans go where the agent's readers may not be cleared to look: past the route, a path is the
    // agent's free text (a tainted one can spell what it read there), so only the route is named.
    path: SERVED_PATHS.has(path) ? path : (endpoint?.route ?? "other"),
    route,
    // The session's first 8 characters, as the logs show it: enough to group, not enough to reuse.
    // Only a session the gateway handed out: any other id is the client's free text.
    session: sessionId !== undefined && ctx.sessions.get(sessionId) !== undefined ? sessionId.slice(0, 8) : undefined,
    traceparent: header("traceparent"),
  };
}

/** The names the gateway is reached by besides loopback ones: its listen address and gateway.domain. */
function knownNames(ctx: RouterContext): string[] {
  return ctx.config.gateway.domain === undefined ? [ctx.runtime.listenHost] : [ctx.runtime.listenHost, ctx.config.gateway.domain];
}

function authorized(req: IncomingMessage, res: ServerResponse, ctx: RouterContext, path: string): boolean {
  const outcome = checkAuthorization(req.headers.authorization, ctx.agentId);
  if (outcome.ok) return true;
  const remote = `${req.socket.remoteAddress ?? "?"}:${req.socket.remotePort ?? "?"}`;
  ctx.logger.log("error", "auth", `Request rejected: ${outcome.message}, remote=${remote}, path=${path}`, { markdown: true });
  const requestId = req.headers["x-request-id"] ?? "unknown";
  ctx.stderr(
    `[ERROR] timestamp=${new Date().toISOString()} server=gateway request_id=${String(requestId)} ` +
      `error_type=authentication_failed detail=${outcome.detail} path=${path} method=${req.method ?? "?"}`,
  );
  sendJson(res, outcome.status, { error: outcome.error, message: outcome.message });
  return false;
}
