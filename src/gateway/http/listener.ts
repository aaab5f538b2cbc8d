// The HTTP listener and its graceful shutdown. What it serves is given to it (the MCP endpoints,
// the backends for /health, /reflect's agents); src/gateway/create-gateway.ts assembles those.
import type * as Http from "node:http";
import type { Server as HttpServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type { Backend } from "../../backends/index.ts";
import type { GatewayConfig, RuntimeOptions } from "../../config/index.ts";
import type { GatewayLogger } from "../../log/index.ts";
import type { McpEndpoint } from "../sessions/index.ts";
import { closeConnections, errorText, goLogTimestamp, withinMs, type Observer } from "../../shared/index.ts";
import { dialableHost } from "./dialable-host.ts";
import type { GuardHealthEntry, StateHealthEntry } from "./health.ts";
import { LiveViewRoutes, type LiveViewFeed } from "./live-view.ts";
import { answerMalformedRequest, answerRequestTimeout } from "./malformed-request.ts";
import { observedRoute, type ReflectAgents, type RouterContext } from "./router.ts";
import { SessionRegistry } from "./session-registry.ts";

// node:http through require, not import: the ES module facade of a built-in reads every export,
// and node:http's WebSocket and EventSource getters load undici, which costs 50 to 150 ms of a
// cold start for a client flowgate never uses here.
const { createServer } = createRequire(import.meta.url)("node:http") as typeof Http;

export interface GatewayIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface ListenerDeps {
  io: GatewayIO;
  logger: GatewayLogger;
  version: string;
  agentId: string;
  backends: ReadonlyMap<string, Backend>;
  /** The MCP route a path names; `selfUrl()` is the gateway's own base URL, known once it listens. */
  endpoints(selfUrl: () => string): (path: string) => McpEndpoint | undefined;
  /** The agents' labels for /reflect. */
  reflect: () => ReflectAgents | Promise<ReflectAgents>;
  /** Each server's guard and its state for /health. */
  guardStatus: () => Record<string, GuardHealthEntry>;
  /** The shared DIFC state's health for /health; undefined when the state is in memory. */
  stateHealth: () => StateHealthEntry | undefined;
  /** What /ui shows; without it the gateway serves no live view. */
  liveView?: LiveViewFeed;
  /** Runs as the shutdown starts, before the drain (the health checks stop relaunching backends). */
  onShutdown(): void;
  /** Where each HTTP request is reported as an "http.request" step; by default nowhere. */
  observer?: Observer;
}

export interface ListeningGateway {
  host: string;
  port: number;
  agentId: string;
  backends: ReadonlyMap<string, Backend>;
  /** Resolves with the exit code once the listener has shut down (after /close or close()). */
  closed: Promise<number>;
  close(drainMs?: number): Promise<number>;
  /** MCP sessions open now. */
  liveSessions(): number;
}

/** What close() waits for in-flight HTTP requests before cutting them, as /close does. */
const CLOSE_DRAIN_MS = 30_000;

/** One stderr line with the reference's Go log prefix, and the same line in the log. */
export function announce(io: GatewayIO, logger: GatewayLogger, message: string): void {
  io.err(`${goLogTimestamp(new Date())} ${message}\n`);
  logger.log("info", "startup", message, { markdown: true });
}

/**
 * Listens, then runs `beforeServing` once the port is bound and before any request is answered
 * (the client configuration document is written there, so /health never answers before it).
 */
export async function listen(
  config: GatewayConfig,
  runtime: RuntimeOptions,
  deps: ListenerDeps,
  beforeServing: (listening: ListeningGateway) => void | Promise<void>,
): Promise<ListeningGateway> {
  const { io, logger, backends } = deps;
  const sessions = new SessionRegistry(runtime.sessionTimeoutMs, (id) =>
    logger.log("info", "client", `MCP session ${id.slice(0, 8)} closed after ${runtime.sessionTimeoutMs} ms idle`),
  );
  // The gateway's own URL, for auto-init; known once it listens, used only after that.
  let selfUrl = "";
  const endpointFor = deps.endpoints(() => selfUrl);
  const liveView = deps.liveView ? new LiveViewRoutes(deps.liveView) : undefined;

  let shuttingDown = false;
  // Set by the first /close before its drain starts, so a second /close (even pipelined on the same connection) gets 410.
  let closeRequested = false;
  let resolveClosed: (code: number) => void = () => undefined;
  const closed = new Promise<number>((resolve) => (resolveClosed = resolve));
  let ready: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (ready = resolve));
  const { requestTimeoutMs, headersTimeoutMs } = runtime.limits;
  const http: HttpServer = createServer({
    requestTimeout: requestTimeoutMs,
    headersTimeout: headersTimeoutMs,
    // Node looks for expired requests this often (30 s by default), which would stretch a short timeout.
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(headersTimeoutMs / 4))),
  });

  // Graceful: let in-flight calls finish (up to drainMs) while new MCP requests are answered 503
  // (the listener stays open, so a client arriving now is told why rather than refused), then
  // stop listening, close the sessions (which ends their streams and backends) and the last connections.
  const shutdown = async (drainMs: number): Promise<number> => {
    if (shuttingDown) return closed;
    shuttingDown = true;
    deps.onShutdown();
    // A page left open would hold its connection, and so the drain, to the deadline.
    liveView?.closeStreams();
    announce(io, logger, "Shutting down gateway...");
    const deadline = Date.now() + drainMs;
    const callsDone = await withinMs(sessions.whenIdle(), drainMs);
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
    await Promise.all([sessions.closeAll(), ...[...backends.values()].map((backend) => backend.close())]);
    for (const backend of backends.values()) {
      logger.log("info", "shutdown", `Terminated server ${backend.id}`, { markdown: true });
      logger.server(backend.id, "info", "shutdown", "Terminated at gateway shutdown");
    }
    const drained = await closeConnections(http, httpClosed, Math.max(0, deadline - Date.now()));
    resolveClosed(callsDone && drained ? 0 : 1);
    return closed;
  };

  const ctx: RouterContext = {
    config,
    runtime,
    agentId: deps.agentId,
    version: deps.version,
    startedAt: Date.now(),
    backends,
    sessions,
    logger,
    stderr: (line) => io.err(`${line}\n`),
    endpointFor,
    reflect: deps.reflect,
    guardStatus: deps.guardStatus,
    stateHealth: deps.stateHealth,
    ...(liveView ? { liveView } : {}),
    ...(deps.observer ? { observer: deps.observer } : {}),
    isShuttingDown: () => shuttingDown || closeRequested,
    requestClose: () => {
      if (shuttingDown || closeRequested) return false;
      closeRequested = true;
      // Answer the /close request first, then drain.
      setImmediate(() => void shutdown(CLOSE_DRAIN_MS));
      return true;
    },
  };
  http.on("request", (req, res) => {
    void gate
      .then(() => observedRoute(req, res, ctx))
      .catch((error: unknown) => {
        logger.log("error", "client", `request failed: ${errorText(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  http.on("clientError", (error: Error & { code?: string; rawPacket?: Buffer }, socket) => {
    if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") return answerRequestTimeout(socket, requestTimeoutMs, headersTimeoutMs);
    answerMalformedRequest(error, socket, (path) => {
      logger.log("error", "auth", `Request rejected: malformed Authorization header, path=${path}`, { markdown: true });
      io.err(
        `[ERROR] timestamp=${new Date().toISOString()} server=gateway request_id=unknown error_type=authentication_failed detail=malformed_auth_header path=${path}\n`,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(runtime.listenPort, runtime.listenHost, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const address = `${runtime.listenHost}:${port}`;
  selfUrl = `http://${dialableHost(runtime.listenHost)}:${port}`;
  if (runtime.mode === "unified") {
    announce(io, logger, `Starting MCPG in UNIFIED mode on ${address}`);
    announce(io, logger, "Endpoint: /mcp");
  } else {
    announce(io, logger, `Starting MCPG in ROUTED mode on ${address}`);
    announce(io, logger, `Routes: /mcp/<server> where <server> is one of: [${[...backends.keys()].join(" ")}]`);
  }
  const listening: ListeningGateway = {
    host: runtime.listenHost,
    port,
    agentId: deps.agentId,
    backends,
    closed,
    close: (drainMs = CLOSE_DRAIN_MS) => shutdown(drainMs),
    liveSessions: () => sessions.size,
  };
  try {
    await beforeServing(listening);
  } catch (error) {
    await shutdown(0);
    throw error;
  }
  ready();
  return listening;
}
