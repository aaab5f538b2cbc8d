import { randomBytes } from "node:crypto";
import type * as Http from "node:http";
import type { Server as HttpServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { Backend } from "../backends/backend.ts";
import type { EarlyProcess } from "../backends/early-process.ts";
import { SharedBackendSessions } from "../backends/shared-sessions.ts";
import type { GatewayConfig, RuntimeOptions } from "../config/types.ts";
import type { GatewayLogger } from "../log/types.ts";
import type { SessionEnvironment } from "./agent-session.ts";
import type { GuardHealthEntry, StateHealthEntry } from "./health.ts";
import { buildForward, type ForwardMiddleware, type ReplyCheck } from "./forward.ts";
import { circuitBreakerMiddleware, type BreakerBoard } from "./circuit-breaker.ts";
import { answerMalformedRequest, answerRequestTimeout } from "./malformed-request.ts";
import { route, type ReflectAgents, type RouterContext } from "./http-router.ts";
import { dialableHost } from "./dialable-host.ts";
import { closeConnections, withinMs } from "./drain.ts";
import { startHealthMonitor } from "./health-monitor.ts";
import { mcpEndpoints } from "./endpoints.ts";
import { SessionRegistry } from "./session-registry.ts";
import { JqEngine } from "./jq-engine.ts";
import { ResponseFilters } from "./response-filter.ts";

// node:http through require, not import: the ES module facade of a built-in reads every export,
// and node:http's WebSocket and EventSource getters load undici, which costs 50 to 150 ms of a
// cold start for a client flowgate never uses here.
const { createServer } = createRequire(import.meta.url)("node:http") as typeof Http;

export interface GatewayIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface GatewayDeps {
  io: GatewayIO;
  logger: GatewayLogger;
  /** Reported in /health and initialize; the CLI passes the package version. */
  version?: string;
  /** The DIFC engine's agent labels for /reflect; no agents until it is wired in. */
  reflect?: () => ReflectAgents | Promise<ReflectAgents>;
  /** Each server's guard and its state for /health; none until the enforcement layer is wired in. */
  guardStatus?: () => Record<string, GuardHealthEntry>;
  /** The shared DIFC state's health for /health; none when the state is in memory. */
  stateHealth?: () => StateHealthEntry | undefined;
  /** Servers whose guard may filter a tool's result item by item: their tools are listed without output schemas. */
  itemLabelledServerIds?: readonly string[];
  /** Wraps every forwarded call (the enforcement pipeline plugs in here), outermost first. */
  forwardMiddleware?: ForwardMiddleware[];
  /** Checks each answer of an agent to a backend's request (sampling, elicitation, roots) before the backend gets it. */
  replyCheck?: ReplyCheck;
  /** Whether an agent (by credential) holds secrecy tags now: its backends' stderr and URL domains stay out of the logs then. */
  agentHoldsSecrets?: (agentId: string) => Promise<boolean>;
  /** Milliseconds since the epoch for the rate-limit circuit breakers; Date.now unless a test moves time. */
  clock?: () => number;
  /** Where replicas sharing DIFC state tell each other a breaker opened; none for a single process. */
  breakerBoard?: BreakerBoard;
  /** How long a tool response filter may run; the reference's 5 s unless a test shortens it. */
  jqTimeoutMs?: number;
  /** The backends, discovery already under way (runGateway starts it while the guards load); else startGateway discovers them. */
  backends?: Promise<Map<string, Backend>>;
  /** How often backends in `error` are relaunched; the reference's 30 s unless a test shortens it. */
  healthCheckIntervalMs?: number;
}

export interface GatewayHandle {
  host: string;
  port: number;
  agentId: string;
  backends: ReadonlyMap<string, Backend>;
  /** Resolves with the exit code once the gateway has shut down (after /close or close()). */
  closed: Promise<number>;
  close(drainMs?: number): Promise<number>;
}

const DEFAULT_VERSION = "0.0.0";

/** What close() waits for in-flight HTTP requests before cutting them, as /close does. */
const CLOSE_DRAIN_MS = 30_000;

/**
 * Launches every backend (in parallel unless sequentialLaunch), then listens. `beforeServing` runs
 * once the port is bound and before any request is answered (serve() writes the client
 * configuration document there, so /health never answers before it).
 */
export async function startGateway(
  config: GatewayConfig,
  runtime: RuntimeOptions,
  deps: GatewayDeps,
  beforeServing?: (handle: GatewayHandle) => void | Promise<void>,
): Promise<GatewayHandle> {
  const { io, logger } = deps;
  const version = deps.version ?? DEFAULT_VERSION;
  const info = (message: string) => {
    io.err(`${goTimestamp()} ${message}\n`);
    logger.log("info", "startup", message, { markdown: true });
  };
  const agentId = config.gateway.agentId ?? generatedAgentId(logger);
  warnUnisolated(config, deps);
  const backends = await (deps.backends ?? discoverBackends(config, { ...deps, maxMessageBytes: runtime.limits.maxMessageBytes }));

  const sessions = new SessionRegistry(runtime.sessionTimeoutMs, (id) =>
    logger.log("info", "client", `MCP session ${id.slice(0, 8)} closed after ${runtime.sessionTimeoutMs} ms idle`),
  );
  const env: SessionEnvironment = {
    backends,
    backendSessions: new SharedBackendSessions(runtime.limits.maxAgentsPerServer),
    // The breaker goes innermost, nearest the backend: DIFC pre-phases → breaker → backend.
    forward: buildForward([...(deps.forwardMiddleware ?? []), circuitBreakerMiddleware(config.servers, logger, deps.clock, deps.breakerBoard)]),
    logger,
    version,
    payloads: config.gateway,
    ...(ResponseFilters.configured(config.servers) ? { responseFilters: responseFilters(config, logger, deps.jqTimeoutMs) } : {}),
    urlDomainAudit: runtime.urlDomainAudit,
    itemLabelledServers: new Set(deps.itemLabelledServerIds ?? []),
    ...(deps.replyCheck ? { checkReply: deps.replyCheck } : {}),
    ...(deps.agentHoldsSecrets ? { agentHoldsSecrets: deps.agentHoldsSecrets } : {}),
  };
  // The gateway's own URL, for auto-init; known once it listens, used only after that.
  let selfUrl = "";
  const endpointFor = mcpEndpoints(runtime.mode, backends, env, () => selfUrl);

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

  const monitor = startHealthMonitor(backends.values(), logger, deps.healthCheckIntervalMs);

  // Graceful: let in-flight calls finish (up to drainMs) while new MCP requests are answered 503
  // (the listener stays open, so a client arriving now is told why rather than refused), then
  // stop listening, close the sessions (which ends their streams and backends) and the last connections.
  const shutdown = async (drainMs: number): Promise<number> => {
    if (shuttingDown) return closed;
    shuttingDown = true;
    monitor.stop();
    info("Shutting down gateway...");
    const deadline = Date.now() + drainMs;
    const callsDone = await withinMs(sessions.whenIdle(), drainMs);
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
    await Promise.all([sessions.closeAll(), ...[...backends.values()].map((backend) => backend.close())]);
    for (const backend of backends.values()) {
      logger.log("info", "shutdown", `Terminated server ${backend.id}`, { markdown: true });
      logger.server(backend.id, "info", "shutdown", "Terminated at gateway shutdown");
    }
    await env.responseFilters?.close();
    const drained = await closeConnections(http, httpClosed, Math.max(0, deadline - Date.now()));
    resolveClosed(callsDone && drained ? 0 : 1);
    return closed;
  };

  const ctx: RouterContext = {
    config,
    runtime,
    agentId,
    version,
    backends,
    sessions,
    logger,
    stderr: (line) => io.err(`${line}\n`),
    endpointFor,
    reflect: deps.reflect ?? (() => ({})),
    guardStatus: deps.guardStatus ?? (() => ({})),
    stateHealth: deps.stateHealth ?? (() => undefined),
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
      .then(() => route(req, res, ctx))
      .catch((error: unknown) => {
        logger.log("error", "client", `request failed: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  http.on("clientError", (error: Error & { code?: string; rawPacket?: Buffer }, socket) => {
    if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") return answerRequestTimeout(socket, requestTimeoutMs, headersTimeoutMs);
    answerMalformedRequest(error, socket, (path) => {
      logger.log("error", "auth", `Request rejected: malformed Authorization header, path=${path}`, { markdown: true });
      io.err(`[ERROR] timestamp=${new Date().toISOString()} server=gateway request_id=unknown error_type=authentication_failed detail=malformed_auth_header path=${path}\n`);
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
    info(`Starting MCPG in UNIFIED mode on ${address}`);
    info("Endpoint: /mcp");
  } else {
    info(`Starting MCPG in ROUTED mode on ${address}`);
    info(`Routes: /mcp/<server> where <server> is one of: [${[...backends.keys()].join(" ")}]`);
  }
  const handle: GatewayHandle = { host: runtime.listenHost, port, agentId, backends, closed, close: (drainMs = CLOSE_DRAIN_MS) => shutdown(drainMs) };
  try {
    await beforeServing?.(handle);
  } catch (error) {
    await shutdown(0);
    throw error;
  }
  ready();
  return handle;
}

/**
 * Creates a Backend for every configured server and discovers them all (in parallel unless
 * sequentialLaunch). A stdio server whose process was spawned early (see EarlyProcess) is
 * discovered over that process. Never throws: a server that fails is left in `error`.
 */
export async function discoverBackends(
  config: GatewayConfig,
  deps: Pick<GatewayDeps, "io" | "logger" | "version"> & { maxMessageBytes: number },
  early: ReadonlyMap<string, EarlyProcess> = new Map(),
): Promise<Map<string, Backend>> {
  const { io, logger } = deps;
  const options = {
    clientInfo: { name: "flowgate", version: deps.version ?? DEFAULT_VERSION },
    logger,
    startupTimeout: config.gateway.startupTimeout,
    toolTimeout: config.gateway.toolTimeout,
    keepaliveInterval: config.gateway.keepaliveInterval,
    maxMessageBytes: deps.maxMessageBytes,
    stderrLine: (line: string) => io.err(`${line}\n`),
  };
  const backends = new Map<string, Backend>();
  for (const server of config.servers) backends.set(server.id, new Backend(server, options, early.get(server.id)));
  await discoverAll([...backends.values()], config.sequentialLaunch, logger, io);
  return backends;
}

function warnUnisolated(config: GatewayConfig, { io, logger }: Pick<GatewayDeps, "io" | "logger">): void {
  for (const server of config.servers) {
    if (server.type !== "stdio" || !server.unisolated) continue;
    const warning = `server "${server.id}" runs "${server.command}" directly on this machine: it is not isolated in a container`;
    io.err(`Warning: ${warning}\n`);
    logger.log("warn", "startup", warning, { markdown: true });
  }
}

function responseFilters(config: GatewayConfig, logger: GatewayLogger, timeoutMs: number | undefined): ResponseFilters {
  const engine = new JqEngine(timeoutMs === undefined ? {} : { timeoutMs });
  engine.warm();
  return new ResponseFilters(config.servers, engine, logger);
}

async function discoverAll(backends: Backend[], sequential: boolean, logger: GatewayLogger, io: GatewayIO): Promise<void> {
  // One line each on stderr, so that a server that did not start is seen without opening the log.
  const discover = async (backend: Backend) => {
    const started = performance.now();
    await backend.discover();
    const outcome = backend.status === "error" ? `failed: ${backend.failureText() ?? "unknown error"}` : `up: ${backend.tools.length} tools in ${Math.round(performance.now() - started)} ms`;
    io.err(`${goTimestamp()} Server ${backend.id}: ${outcome}\n`);
  };
  if (sequential) for (const backend of backends) await discover(backend);
  else await Promise.all(backends.map(discover));
  const failed = backends.filter((backend) => backend.status === "error").map((backend) => backend.id);
  if (failed.length > 0) {
    logger.log(
      "warn",
      "backend",
      `Tool registration incomplete: ${failed.length} of ${backends.length} backends failed: [${failed.join(" ")}] — agents will not see tools from these servers until they start`,
      { markdown: true },
    );
  }
}

function generatedAgentId(logger: GatewayLogger): string {
  logger.log("warn", "startup", "No agent ID configured — generated temporary random agent ID (spec §7.3)", { markdown: true });
  return randomBytes(32).toString("hex");
}

/** Go's log.Printf prefix, which the reference's stderr lines carry: "YYYY/MM/DD HH:MM:SS". */
function goTimestamp(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}/${pad(now.getMonth() + 1)}/${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
}
