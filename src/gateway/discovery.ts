// Startup discovery of the configured servers: one Backend each, launched and asked for its tools
// (in parallel unless sequentialLaunch), with one stderr line per server.
import { Backend, type EarlyProcess } from "../backends/index.ts";
import type { GatewayConfig } from "../config/index.ts";
import type { GatewayLogger } from "../log/index.ts";
import { goLogTimestamp, type Observer } from "../shared/index.ts";
import type { GatewayIO } from "./http/index.ts";

export interface DiscoveryDeps {
  io: GatewayIO;
  logger: GatewayLogger;
  version: string;
  maxMessageBytes: number;
  /** Where the backends report launches, crashes and restarts; by default nowhere. */
  observer?: Observer;
  /** Whether tools/call requests to the backends may go outside the SDK's Protocol. */
  directToolCalls?: boolean;
}

/**
 * Creates a Backend for every configured server and discovers them all. A stdio server whose
 * process was spawned early (see EarlyProcess) is discovered over that process. Never throws: a
 * server that fails is left in `error`.
 */
export async function discoverBackends(
  config: GatewayConfig,
  deps: DiscoveryDeps,
  early: ReadonlyMap<string, EarlyProcess> = new Map(),
): Promise<Map<string, Backend>> {
  const { io, logger } = deps;
  const options = {
    clientInfo: { name: "flowgate", version: deps.version },
    logger,
    startupTimeout: config.gateway.startupTimeout,
    toolTimeout: config.gateway.toolTimeout,
    keepaliveInterval: config.gateway.keepaliveInterval,
    maxMessageBytes: deps.maxMessageBytes,
    stderrLine: (line: string) => io.err(`${line}\n`),
    ...(deps.observer ? { observer: deps.observer } : {}),
    ...(deps.directToolCalls ? { directToolCalls: true } : {}),
  };
  const backends = new Map<string, Backend>();
  for (const server of config.servers) backends.set(server.id, new Backend(server, options, early.get(server.id)));
  await discoverAll([...backends.values()], config.sequentialLaunch, logger, io);
  return backends;
}

/** A start that failed: the backends' processes are stopped rather than waited for. */
export async function abandonDiscovery(backends: Promise<Map<string, Backend>>, early: ReadonlyMap<string, EarlyProcess> = new Map()): Promise<void> {
  for (const child of early.values()) child.kill();
  await Promise.all([...(await backends).values()].map((backend) => backend.close()));
}

async function discoverAll(backends: Backend[], sequential: boolean, logger: GatewayLogger, io: GatewayIO): Promise<void> {
  // One line each on stderr, so that a server that did not start is seen without opening the log.
  const discover = async (backend: Backend) => {
    const started = performance.now();
    await backend.discover();
    const outcome =
      backend.status === "error"
        ? `failed: ${backend.failureText() ?? "unknown error"}`
        : `up: ${backend.tools.length} tools in ${Math.round(performance.now() - started)} ms`;
    io.err(`${goLogTimestamp(new Date())} Server ${backend.id}: ${outcome}\n`);
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
