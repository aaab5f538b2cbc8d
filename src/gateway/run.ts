// The gateway with everything a serve run needs: the log files, the guards and the DIFC
// engine wired into the forward seam, /reflect and /health. The CLI's serve command and the demo
// call this; tests that need a bare gateway call startGateway directly. The guards load while
// the backends are discovered: each takes a few hundred milliseconds, and neither needs the other.
import type { Backend } from "../backends/backend.ts";
import { errorText } from "../backends/errors.ts";
import type { EarlyProcess } from "../backends/early-process.ts";
import type { GatewayConfig, RuntimeOptions } from "../config/types.ts";
import { createEnforcement, type Enforcement } from "../enforce/index.ts";
import { openFileLogger } from "../log/file-logger.ts";
import type { GatewayLogger } from "../log/types.ts";
import { shareDigestKey } from "./auth.ts";
import { enforcementMiddleware, enforcementReplyCheck } from "./enforcement.ts";
import { serve } from "./serve.ts";
import { writeSinkUrlAudit } from "./url-domains.ts";
import { discoverBackends, startGateway, type GatewayHandle, type GatewayIO } from "./start.ts";

export interface RunDeps {
  io: GatewayIO;
  env: Readonly<Record<string, string | undefined>>;
  version: string;
  /** Aborted on SIGINT/SIGTERM: the gateway drains and stops. */
  signal?: AbortSignal;
  /** Stdio servers' processes the CLI spawned as soon as the configuration was valid, by server id. */
  earlyProcesses?: ReadonlyMap<string, EarlyProcess>;
}

/** `DEBUG` wins; otherwise -vv turns on the gateway's own namespaces and -vvv everything. */
function debugPatterns(runtime: RuntimeOptions, env: RunDeps["env"]): string | undefined {
  if (env["DEBUG"]) return env["DEBUG"];
  if (runtime.verbosity >= 3) return "*";
  if (runtime.verbosity === 2) return "cmd:*,server:*,launcher:*";
  return undefined;
}

function gatewayDeps(enforcement: Enforcement, runtime: RuntimeOptions, logger: GatewayLogger, deps: Pick<RunDeps, "io" | "version">) {
  const agentHoldsSecrets = (agentId: string) => enforcement.pipeline.agentHoldsSecrets(agentId);
  return {
    agentHoldsSecrets,
    io: deps.io,
    logger,
    version: deps.version,
    forwardMiddleware: [
      enforcementMiddleware(enforcement.pipeline, runtime.sinkServerIds),
      ...(runtime.urlDomainAudit ? [writeSinkUrlAudit(new Set(enforcement.writeSinkServerIds()), logger, agentHoldsSecrets)] : []),
    ],
    itemLabelledServerIds: enforcement.itemLabelledServerIds(),
    replyCheck: enforcementReplyCheck(enforcement.pipeline),
    reflect: () => enforcement.reflect(),
    guardStatus: () => enforcement.guardStatus(),
    stateHealth: () => enforcement.stateHealth(),
    ...(enforcement.breakerBoard ? { breakerBoard: enforcement.breakerBoard } : {}),
  };
}

/** The serve command: returns the exit code once the gateway has stopped. */
export async function runGateway(config: GatewayConfig, runtime: RuntimeOptions, deps: RunDeps): Promise<number> {
  const debug = debugPatterns(runtime, deps.env);
  const logger = openFileLogger({
    dir: runtime.logDir,
    stderr: deps.io.err,
    ...(config.gateway.agentId ? { secrets: [config.gateway.agentId] } : {}),
    ...(debug ? { debug } : {}),
    ...(runtime.logPayloads ? { logPayloads: runtime.logPayloads } : {}),
  });
  try {
    logger.log("info", "startup", `MCPG Gateway version: ${deps.version}`, { markdown: true });
    logger.log("info", "startup", `Starting flowgate with config: ${runtime.configSource}, listen: ${runtime.listenHost}:${runtime.listenPort}, log-dir: ${runtime.logDir}`, { markdown: true });
    const warnings = [...config.warnings];
    const serverIds = new Set(config.servers.map((server) => server.id));
    for (const id of runtime.sinkServerIds) {
      if (!serverIds.has(id)) warnings.push(`--guards-sink-server-ids names unknown server ID "${id}": ignoring it`);
    }
    for (const warning of warnings) {
      deps.io.err(`Warning: ${warning}\n`);
      logger.log("warn", "startup", warning, { markdown: true });
    }
    const backends = discoverBackends(config, { io: deps.io, logger, version: deps.version, maxMessageBytes: runtime.limits.maxMessageBytes }, deps.earlyProcesses);
    let enforcement: Enforcement;
    try {
      enforcement = await createEnforcement(config, runtime, { logger, env: deps.env });
      if (enforcement.digestKey) shareDigestKey(enforcement.digestKey);
    } catch (error) {
      const message = errorText(error);
      deps.io.err(`failed to start gateway: ${message}\n`);
      logger.log("error", "startup", `failed to start gateway: ${message}`, { markdown: true });
      await abandonDiscovery(backends, deps.earlyProcesses);
      return 1;
    }
    if (enforcement.stateUrl !== undefined) {
      deps.io.err(`DIFC state: shared with other replicas in ${enforcement.stateUrl}\n`);
      logger.log("info", "startup", `DIFC state: shared with other replicas in ${enforcement.stateUrl}`, { markdown: true });
    }
    const stateWarning = enforcement.stateHealth()?.warning;
    if (stateWarning !== undefined) {
      deps.io.err(`Warning: ${stateWarning}\n`);
      logger.log("warn", "startup", stateWarning, { markdown: true });
    }
    for (const [serverId, { fallback }] of Object.entries(enforcement.guardStatus())) {
      if (fallback === undefined) continue;
      deps.io.err(`Warning: server "${serverId}": ${fallback}\n`);
      logger.log("warn", "startup", `server "${serverId}": ${fallback}`, { markdown: true });
    }
    try {
      return await serve(config, runtime, { ...gatewayDeps(enforcement, runtime, logger, deps), backends, ...(deps.signal ? { signal: deps.signal } : {}) });
    } finally {
      await enforcement.close().catch((error: unknown) => logger.log("error", "shutdown", String(error)));
    }
  } finally {
    await logger.close();
  }
}

/** A start that failed: the backends' processes are stopped rather than waited for. */
async function abandonDiscovery(backends: Promise<Map<string, Backend>>, early: RunDeps["earlyProcesses"]): Promise<void> {
  for (const child of early?.values() ?? []) child.kill();
  await Promise.all([...(await backends).values()].map((backend) => backend.close()));
}

/** A running enforced gateway, for the demo and end-to-end tests. */
export async function startEnforcedGateway(
  config: GatewayConfig,
  runtime: RuntimeOptions,
  deps: Omit<RunDeps, "signal"> & { logger: GatewayLogger },
): Promise<{ gateway: GatewayHandle; enforcement: Enforcement; close(): Promise<void> }> {
  const enforcement = await createEnforcement(config, runtime, { logger: deps.logger, env: deps.env });
  if (enforcement.digestKey) shareDigestKey(enforcement.digestKey);
  let gateway: GatewayHandle;
  try {
    gateway = await startGateway(config, runtime, gatewayDeps(enforcement, runtime, deps.logger, deps));
  } catch (error) {
    await enforcement.close();
    throw error;
  }
  return {
    gateway,
    enforcement,
    async close() {
      await gateway.close(1000);
      await enforcement.close();
    },
  };
}
