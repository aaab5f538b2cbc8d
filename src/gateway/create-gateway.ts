// The composition root: the one place that builds a gateway from its parts (log files, guards and
// DIFC engine, backends, the forward chain, the MCP sessions, the HTTP listener) and serves it.
// The CLI, the demo, the benchmarks and the tests all start the gateway here. The guards load
// while the backends are discovered: each takes a few hundred milliseconds, and neither needs
// the other.
import { randomBytes } from "node:crypto";
import { SharedBackendSessions, type Backend, type EarlyProcess } from "../backends/index.ts";
import type { GatewayConfig, RuntimeOptions } from "../config/index.ts";
import { createEnforcement, type Enforcement } from "../enforce/index.ts";
import { openFileLogger, type GatewayLogger } from "../log/index.ts";
import { combineObservers, errorText, goLogTimestamp, observesSteps, type Observer } from "../shared/index.ts";
import { DecisionLog, LiveView } from "../telemetry/live-view/index.ts";
import type { GatewayMetrics, MetricsListener } from "../telemetry/metrics/index.ts";
import { startTracing, type ListedTools, type StartedTracing } from "../telemetry/tracing/index.ts";
import { clientConfigDocument } from "./client-config.ts";
import { abandonDiscovery, discoverBackends } from "./discovery.ts";
import {
  buildForward,
  circuitBreakerMiddleware,
  enforcementMiddleware,
  enforcementReplyCheck,
  observedBackendCall,
  observedCall,
  resultUrlAudit,
  writeSinkUrlAudit,
  type BreakerBoard,
  type ForwardMiddleware,
} from "./forward/index.ts";
import { startHealthMonitor } from "./health-monitor.ts";
import { liveViewSources } from "./live-view-sources.ts";
import { announce, listen, shareDigestKey, type GatewayIO, type ListeningGateway } from "./http/index.ts";
import { ResponseFilters, responseFilterStep, spillStep } from "./results/index.ts";
import { mcpEndpoints, type SessionEnvironment } from "./sessions/index.ts";

export interface GatewayOptions {
  io: GatewayIO;
  /** The environment the guards and DEBUG are read from; the CLI passes process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Reported in /health and initialize; the CLI passes the package version. */
  version?: string;
  /** Where the gateway logs; by default the log files in runtime.logDir, closed with the gateway. */
  logger?: GatewayLogger;
  /**
   * What stands in the enforcement step of the forward chain: by default the configured guards
   * and the DIFC engine; `false` for none (a test of the front end or the backends alone); a
   * middleware of a test's own, to observe the chain from there.
   */
  enforcement?: false | ForwardMiddleware;
  /** Stdio servers' processes the CLI spawned as soon as the configuration was valid, by server id. */
  earlyProcesses?: ReadonlyMap<string, EarlyProcess>;
  /** Aborted on SIGINT/SIGTERM by the CLI: the gateway drains for runtime.shutdownTimeoutMs and stops. */
  signal?: AbortSignal;
  /** Milliseconds since the epoch for the rate-limit circuit breakers; Date.now unless a test moves time. */
  clock?: () => number;
  /** How long a tool response filter may run; the reference's 5 s unless a test shortens it. */
  jqTimeoutMs?: number;
  /** How often backends in `error` are relaunched; the reference's 30 s unless a test shortens it. */
  healthCheckIntervalMs?: number;
  /** Where replicas sharing DIFC state tell each other a breaker opened; by default the state store's, none for a single process. */
  breakerBoard?: BreakerBoard;
  /** Where the gateway reports its calls, guard calls and DIFC decisions (traces, metrics, the live view); by default nowhere. */
  observer?: Observer;
}

export interface Gateway extends ListeningGateway {
  /** The guards and the DIFC engine; undefined when started without them. */
  enforcement?: Enforcement;
  /** Where GET /metrics is served; undefined without runtime.metricsListen. */
  metrics?: { host: string; port: number };
}

const DEFAULT_VERSION = "0.0.0";
/**
 * Set to "off", every tools/call goes through the SDK's Protocol on both sides: the agent's
 * (src/gateway/sessions/fast-tools-call.ts) and the backends' (src/backends/direct-requests.ts).
 */
export const TOOLS_CALL_FAST_PATH_ENV = "FLOWGATE_TOOLS_CALL_FAST_PATH";

/**
 * Starts a gateway: opens the log, loads the guards while the backends are discovered, listens,
 * writes the client configuration document to stdout (nothing else goes there) before any request
 * is answered, and serves until /close, close() or the signal. A start that fails is reported on
 * stderr and in the log, its backends are stopped, and the error is thrown.
 */
export async function createGateway(config: GatewayConfig, runtime: RuntimeOptions, options: GatewayOptions): Promise<Gateway> {
  const { io } = options;
  const env = options.env ?? {};
  const version = options.version ?? DEFAULT_VERSION;
  const ownLogger = options.logger ? undefined : openLogFiles(config, runtime, env, io);
  const logger = options.logger ?? ownLogger!;
  let failedWhere = "";
  let enforcement: Enforcement | undefined;
  let filters: ResponseFilters | undefined;
  let monitor: { stop(): void } | undefined;
  let metricsListener: MetricsListener | undefined;
  // The live view at /ui keeps the latest decisions from the start; it observes events alone, so no call is wrapped for
  // it (the guards' calls only while a page watches, for their failures).
  const decisions = new DecisionLog();
  let tracingStarted: Promise<StartedTracing> | undefined;
  // Spans name only the tools the backends listed; until discovery ends, none.
  let discovered: ReadonlyMap<string, Backend> | undefined;
  try {
    announceStart(config, runtime, version, io, logger);
    const agentId = config.gateway.agentId ?? generatedAgentId(logger);
    // Off only to compare both paths, on the agent's side and the backends' (test/gateway/tools-call-fast-path.test.ts, bench:ab).
    const toolCallFastPath = env[TOOLS_CALL_FAST_PATH_ENV] !== "off";
    // The OpenTelemetry SDK loads while the backends start: nothing there is traced yet.
    tracingStarted = gatewayTracing(config, env, version, io, logger, (serverId) => discovered?.get(serverId)?.tools);
    warnUnisolated(config, io, logger);
    const metrics = runtime.metricsListen ? await gatewayMetrics(config) : undefined;
    const untraced = combineObservers([...(options.observer ? [options.observer] : []), ...(metrics ? [metrics] : []), decisions.observer]);
    // Before the backends launch: an address that cannot be bound fails the start at once.
    if (metrics && runtime.metricsListen) metricsListener = await startMetricsListener(metrics, runtime.metricsListen, io, logger);
    // The backends launch while the OpenTelemetry SDK loads: their launch events reach the tracer once it is there.
    let observer = untraced;
    const launchObserver: Observer = { step: (name, attributes, work) => observer.step(name, attributes, work), event: (event) => observer.event(event) };
    const discovery = discoverBackends(
      config,
      { io, logger, version, maxMessageBytes: runtime.limits.maxMessageBytes, observer: launchObserver, directToolCalls: toolCallFastPath },
      options.earlyProcesses,
    );
    const traced = await tracingStarted;
    observer = combineObservers([...(traced.observer ? [traced.observer] : []), untraced]);
    if (options.enforcement === undefined) {
      try {
        enforcement = await createEnforcement(config, runtime, { logger, env, observer });
        if (enforcement.digestKey) shareDigestKey(enforcement.digestKey);
      } catch (error) {
        await abandonDiscovery(discovery, options.earlyProcesses);
        throw error;
      }
      announceState(enforcement, io, logger);
      warnFallbacks(enforcement, io, logger);
    }
    const backends = await discovery;
    discovered = backends;
    filters = ResponseFilters.forServers(config.servers, logger, options.jqTimeoutMs);
    const agentHoldsSecrets = enforcement ? agentSecrecy(enforcement) : undefined;
    const sessionEnv: SessionEnvironment = {
      backends,
      backendSessions: new SharedBackendSessions(runtime.limits.maxAgentsPerServer),
      forward: buildForward(forwardChain(config, runtime, logger, options, observer, enforcement, filters)),
      logger,
      version,
      itemLabelledServers: new Set(enforcement?.itemLabelledServerIds() ?? []),
      ...(enforcement ? { checkReply: enforcementReplyCheck(enforcement.pipeline) } : {}),
      ...(agentHoldsSecrets ? { agentHoldsSecrets } : {}),
      toolCallFastPath,
    };
    monitor = startHealthMonitor(backends.values(), logger, options.healthCheckIntervalMs);
    failedWhere = ` on ${runtime.listenHost}:${runtime.listenPort}`;
    const listening = await listen(
      config,
      runtime,
      {
        io,
        logger,
        version,
        agentId,
        backends,
        endpoints: (selfUrl) => mcpEndpoints(runtime.mode, backends, sessionEnv, selfUrl),
        reflect: () => enforcement?.reflect() ?? {},
        guardStatus: () => enforcement?.guardStatus() ?? {},
        stateHealth: () => enforcement?.stateHealth(),
        liveView: new LiveView(decisions, liveViewSources(backends, enforcement)),
        onShutdown: () => monitor?.stop(),
        observer,
      },
      (started) => io.out(clientConfigDocument(config, runtime, started.port, started.agentId)),
    );
    metrics?.attach({
      tools: (serverId) => backends.get(serverId)?.tools,
      liveSessions: () => listening.liveSessions(),
      agents: async () => (enforcement ? enforcement.agentCount() : 0),
    });
    const gateway = served(listening, runtime, options.signal, enforcement, async () => {
      await metricsListener?.close();
      await filters?.close();
      await enforcement?.close().catch((error: unknown) => logger.log("error", "shutdown", String(error)));
      await traced.tracing?.shutdown();
      await ownLogger?.close();
    });
    return metricsListener ? { ...gateway, metrics: { host: metricsListener.host, port: metricsListener.port } } : gateway;
  } catch (error) {
    io.err(`failed to start gateway${failedWhere}: ${errorText(error)}\n`);
    logger.log("error", "startup", `failed to start gateway: ${errorText(error)}`, { markdown: true });
    monitor?.stop();
    await metricsListener?.close();
    await filters?.close();
    await enforcement?.close().catch(() => undefined);
    await (await tracingStarted)?.tracing?.shutdown();
    await ownLogger?.close();
    throw error;
  }
}

/** The serve command: a gateway started and served to its end; the exit code (1 when it could not start, or draining timed out). */
export async function serveGateway(config: GatewayConfig, runtime: RuntimeOptions, options: GatewayOptions): Promise<number> {
  const gateway = await createGateway(config, runtime, options).catch(() => undefined);
  return gateway ? gateway.closed : 1;
}

/**
 * The forward chain, outermost first; this list is its order. A tools/call result comes back
 * through the steps from the last to the first: the breaker sits nearest the backend, so a call
 * the policy refuses never reaches it; after enforcement the result is filtered, audited and
 * spilled in the reference's order (gateway.md §5).
 */
function forwardChain(
  config: GatewayConfig,
  runtime: RuntimeOptions,
  logger: GatewayLogger,
  options: GatewayOptions,
  observer: Observer,
  enforcement: Enforcement | undefined,
  filters: ResponseFilters | undefined,
): ForwardMiddleware[] {
  const enforcementStep = enforcement ? enforcementMiddleware(enforcement.pipeline, runtime.sinkServerIds) : options.enforcement || undefined;
  const agentHoldsSecrets = enforcement ? agentSecrecy(enforcement) : undefined;
  const observed = observesSteps(observer);
  return [
    ...(observed ? [observedCall(observer)] : []),
    spillStep(config.gateway, logger),
    ...(runtime.urlDomainAudit ? [resultUrlAudit(logger, agentHoldsSecrets)] : []),
    ...(filters ? [responseFilterStep(filters)] : []),
    ...(enforcementStep ? [enforcementStep] : []),
    // Inside enforcement, so a call the policy refuses is not counted.
    ...(runtime.urlDomainAudit && enforcement && agentHoldsSecrets
      ? [writeSinkUrlAudit(new Set(enforcement.writeSinkServerIds()), logger, agentHoldsSecrets)]
      : []),
    circuitBreakerMiddleware(config.servers, logger, options.clock, options.breakerBoard ?? enforcement?.breakerBoard),
    ...(observed ? [observedBackendCall(observer)] : []),
  ];
}

/** The Prometheus metrics, loaded only when asked for: a gateway without them never loads prom-client. */
async function gatewayMetrics(config: GatewayConfig): Promise<GatewayMetrics> {
  const { GatewayMetrics } = await import("../telemetry/metrics/index.ts");
  return new GatewayMetrics(config.servers.map((server) => server.id));
}

/** The scrape listener, on its own address so that it can be firewalled apart from /mcp. */
async function startMetricsListener(
  metrics: GatewayMetrics,
  address: { host: string; port: number },
  io: GatewayIO,
  logger: GatewayLogger,
): Promise<MetricsListener> {
  const { serveMetrics } = await import("../telemetry/metrics/index.ts");
  const listener = await serveMetrics(metrics, address.host, address.port, (text) => logger.log("error", "metrics", text)).catch((error: unknown) => {
    throw new Error(`cannot serve metrics on ${address.host}:${address.port} (--metrics-listen): ${errorText(error)}`, { cause: error });
  });
  const line = `Serving Prometheus metrics on ${listener.host}:${listener.port} at GET /metrics`;
  io.err(`${goLogTimestamp(new Date())} ${line}\n`);
  logger.log("info", "startup", line, { markdown: true });
  return listener;
}

/** Whether an agent (by credential) holds secrecy tags now: its backends' stderr and URL domains stay out of the logs then. */
function agentSecrecy(enforcement: Enforcement): (agentId: string) => Promise<boolean> {
  return (agentId) => enforcement.pipeline.agentHoldsSecrets(agentId);
}

/** The gateway once listening: `closed` resolves after everything it opened is closed too. */
function served(
  listening: ListeningGateway,
  runtime: RuntimeOptions,
  signal: AbortSignal | undefined,
  enforcement: Enforcement | undefined,
  closeRest: () => Promise<void>,
): Gateway {
  const onSignal = () => void listening.close(runtime.shutdownTimeoutMs);
  const closed = listening.closed.then(async (code) => {
    signal?.removeEventListener("abort", onSignal);
    await closeRest();
    return code;
  });
  if (signal?.aborted) onSignal();
  else signal?.addEventListener("abort", onSignal, { once: true });
  return {
    ...listening,
    closed,
    close: async (drainMs) => {
      await listening.close(drainMs);
      return closed;
    },
    ...(enforcement ? { enforcement } : {}),
  };
}

/** `DEBUG` wins; otherwise -vv turns on the gateway's own namespaces and -vvv everything. */
function debugPatterns(runtime: RuntimeOptions, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env["DEBUG"]) return env["DEBUG"];
  if (runtime.verbosity >= 3) return "*";
  if (runtime.verbosity === 2) return "cmd:*,server:*,launcher:*";
  return undefined;
}

function openLogFiles(
  config: GatewayConfig,
  runtime: RuntimeOptions,
  env: Readonly<Record<string, string | undefined>>,
  io: GatewayIO,
): GatewayLogger & { close(): Promise<void> } {
  const debug = debugPatterns(runtime, env);
  return openFileLogger({
    dir: runtime.logDir,
    stderr: io.err,
    ...(config.gateway.agentId ? { secrets: [config.gateway.agentId] } : {}),
    ...(debug ? { debug } : {}),
    ...(runtime.logPayloads ? { logPayloads: runtime.logPayloads } : {}),
  });
}

function announceStart(config: GatewayConfig, runtime: RuntimeOptions, version: string, io: GatewayIO, logger: GatewayLogger): void {
  logger.log("info", "startup", `MCPG Gateway version: ${version}`, { markdown: true });
  logger.log(
    "info",
    "startup",
    `Starting flowgate with config: ${runtime.configSource}, listen: ${runtime.listenHost}:${runtime.listenPort}, log-dir: ${runtime.logDir}`,
    { markdown: true },
  );
  const warnings = [...config.warnings];
  const serverIds = new Set(config.servers.map((server) => server.id));
  for (const id of runtime.sinkServerIds) {
    if (!serverIds.has(id)) warnings.push(`--guards-sink-server-ids names unknown server ID "${id}": ignoring it`);
  }
  for (const warning of warnings) warn(io, logger, warning);
}

function warnUnisolated(config: GatewayConfig, io: GatewayIO, logger: GatewayLogger): void {
  for (const server of config.servers) {
    if (server.type === "stdio" && server.unisolated)
      warn(io, logger, `server "${server.id}" runs "${server.command}" directly on this machine: it is not isolated in a container`);
  }
}

/** Where the DIFC state is shared, and why label updates could be lost there. */
function announceState(enforcement: Enforcement, io: GatewayIO, logger: GatewayLogger): void {
  if (enforcement.stateUrl !== undefined) {
    io.err(`DIFC state: shared with other replicas in ${enforcement.stateUrl}\n`);
    logger.log("info", "startup", `DIFC state: shared with other replicas in ${enforcement.stateUrl}`, { markdown: true });
  }
  const stateWarning = enforcement.stateHealth()?.warning;
  if (stateWarning !== undefined) warn(io, logger, stateWarning);
}

function warnFallbacks(enforcement: Enforcement, io: GatewayIO, logger: GatewayLogger): void {
  for (const [serverId, { fallback }] of Object.entries(enforcement.guardStatus())) {
    if (fallback !== undefined) warn(io, logger, `server "${serverId}": ${fallback}`);
  }
}

function warn(io: GatewayIO, logger: GatewayLogger, warning: string): void {
  io.err(`Warning: ${warning}\n`);
  logger.log("warn", "startup", warning, { markdown: true });
}

/**
 * The tracer config.gateway.opentelemetry (with the OTLP flags over it) and the OTEL variables
 * ask for, with the reference's startup lines. Export failures
 * while running are warnings, throttled by the exporter.
 */
async function gatewayTracing(
  config: GatewayConfig,
  env: Readonly<Record<string, string | undefined>>,
  version: string,
  io: GatewayIO,
  logger: GatewayLogger,
  listedTools: ListedTools,
): Promise<StartedTracing> {
  const started = await startTracing(config.gateway.opentelemetry, env, {
    version,
    rootSpanName: "gateway.lifetime",
    listedTools,
    report: (level, message) => (level === "warn" ? warn(io, logger, message) : logger.log("info", "tracing", message)),
  });
  for (const line of started.lines) {
    if (line.level === "warn") warn(io, logger, line.text);
    else announce(io, logger, line.text);
  }
  return started;
}

function generatedAgentId(logger: GatewayLogger): string {
  logger.log("warn", "startup", "No agent ID configured — generated temporary random agent ID (spec §7.3)", { markdown: true });
  return randomBytes(32).toString("hex");
}
