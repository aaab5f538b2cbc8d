// Which guard labels each server's traffic, and under which policy: decided once at startup,
// in the reference's order (guard-abi.md §5.1, difc.md §7.1): a guard file discovered in
// MCP_GATEWAY_WASM_GUARDS_DIR/<serverID>/, else the write-sink guard for a write-sink policy,
// else the guard the server names in config, else noop. A non-noop guard with no policy falls
// back to noop, since it would have nothing to enforce.
import type { GatewayConfig, RuntimeOptions, ServerConfig } from "../config/index.ts";
import { guardPolicyToJson, parseGuardPolicy, parseServerGuardPolicy, resolveGuardPolicy, type GuardPolicy } from "../difc/index.ts";
import { NoopGuard, WriteSinkGuard, discoverGuardFile, loadWasmGuard, type Guard, type GuardLogger } from "../guard/index.ts";
import type { GatewayLogger } from "../log/index.ts";
import { workflowRepoVisibility, type WorkflowRepoVisibility } from "./github-visibility.ts";
import { forcePublicPolicies, runtimeSinkVisibility, shouldForcePublicRepos } from "./public-repo-policies.ts";
import { errorText } from "../shared/index.ts";

export interface ServerGuard {
  serverId: string;
  guard: Guard;
  /** The policy label_agent receives; null means no policy: label_agent is not called. */
  policy: GuardPolicy | null;
  /** `guards.<name>.config`, sent to the guard beside the policy (a flowgate extension). */
  guardConfig?: Record<string, unknown>;
  /** True for WASM guards, whose label_agent input is validated like the reference's. */
  wasm: boolean;
  /** Set when the noop guard stands in for the guard the configuration names (or discovery found), and why. */
  fallback?: string;
}

export interface ServerGuardOptions {
  logger: GatewayLogger;
  /**
   * The environment discovery reads MCP_GATEWAY_WASM_GUARDS_DIR from, and the repository
   * visibility check GITHUB_REPOSITORY, the GitHub token and API URL, MCP_GATEWAY_FORCE_PUBLIC_REPOS.
   */
  env: Readonly<Record<string, string | undefined>>;
  /** How the GitHub API is reached; default the global fetch. */
  fetch?: typeof fetch;
}

/** What every server's registration shares: the repository visibility, asked once. */
interface Registration {
  guardLogger: GuardLogger;
  visibility: WorkflowRepoVisibility;
  forcePublicRepos: boolean;
}

/** A guard whose policy fails to parse aborts startup; the message names the server. */
export async function createServerGuards(config: GatewayConfig, runtime: RuntimeOptions, options: ServerGuardOptions): Promise<Map<string, ServerGuard>> {
  const { logger, env } = options;
  const global = runtime.guardPolicyOverride ? parsePolicy(runtime.guardPolicyOverride, "global guard policy") : null;
  const visibility = workflowRepoVisibility({
    env,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    onFailure: (reason) => logger.log("debug", "difc", `Repository visibility check failed: ${reason}`),
  });
  const registration: Registration = {
    guardLogger: adaptLogger(logger),
    visibility,
    forcePublicRepos: await shouldForcePublicRepos(config, env, visibility, logger),
  };
  const guards = new Map<string, ServerGuard>();
  try {
    for (const server of config.servers) {
      guards.set(server.id, await selectGuard(server, config, global, registration, options));
    }
  } catch (error) {
    await Promise.allSettled([...guards.values()].map(({ guard }) => guard.close()));
    throw error;
  }
  return guards;
}

async function selectGuard(
  server: ServerConfig,
  config: GatewayConfig,
  configuredGlobal: GuardPolicy | null,
  registration: Registration,
  options: ServerGuardOptions,
): Promise<ServerGuard> {
  const { logger } = options;
  const { guardLogger, visibility } = registration;
  const fail = (detail: string): never => {
    throw new Error(`failed to register guard for server "${server.id}": ${detail}`);
  };
  const named = server.guard ? config.guards[server.guard] : undefined;
  let global = configuredGlobal;
  let serverPolicies: Record<string, unknown> | undefined = server.guardPolicies;
  if (registration.forcePublicRepos && visibility.repository !== undefined) {
    ({ global, serverPolicies } = forcePublicPolicies(server.id, global, serverPolicies, visibility.repository, logger));
  }
  let serverPolicy: GuardPolicy | null = null;
  let namedPolicy: GuardPolicy | null = null;
  try {
    serverPolicy = serverPolicies ? parseServerGuardPolicy(serverPolicies, server.id) : null;
    namedPolicy = named?.policy ? parsePolicy(named.policy, `policy of guard '${server.guard}'`) : null;
  } catch (error) {
    fail(errorText(error));
  }
  const policy = resolveGuardPolicy({ global, server: serverPolicy, guard: namedPolicy });
  const timeoutMs = (server.toolTimeout ?? config.gateway.toolTimeout) * 1000;
  const noop = (reason: string, replacing = false): ServerGuard => {
    logger.server(server.id, "info", "difc", `Registered guard 'noop' (${reason})`);
    const fallback = replacing ? `${reason}: the server runs with the noop guard, which labels nothing and blocks nothing` : undefined;
    return { serverId: server.id, guard: new NoopGuard(), policy, wasm: false, ...(fallback ? { fallback } : {}) };
  };

  let discovered: string | undefined;
  try {
    discovered = discoverGuardFile(server.id, { env: options.env });
  } catch (error) {
    logger.log("warn", "difc", `Failed to discover WASM guard: ${errorText(error)}`);
  }
  if (discovered) {
    if (!policy) return noop(`discovered guard ${discovered} has no policy to enforce`, true);
    try {
      const guard = await loadWasmGuard(discovered, { name: server.id, defaultTimeoutMs: timeoutMs, logger: guardLogger });
      logger.server(server.id, "info", "difc", `Registered guard '${server.id}' from ${discovered}`);
      return { serverId: server.id, guard, policy, wasm: true };
    } catch (error) {
      logger.log("warn", "difc", `Failed to load discovered WASM guard from ${discovered}: ${errorText(error)}`);
    }
  }

  if (policy?.kind === "write-sink") {
    const sinkVisibility = await runtimeSinkVisibility(server.id, policy.writeSink.sinkVisibility, config, visibility, logger);
    logger.server(server.id, "info", "difc", `Registered guard 'write-sink' (sink visibility: ${sinkVisibility ?? "as accepted"})`);
    return {
      serverId: server.id,
      guard: new WriteSinkGuard({ accept: policy.writeSink.accept, ...(sinkVisibility ? { visibility: sinkVisibility } : {}) }),
      policy,
      wasm: false,
    };
  }

  if (!named || named.type === "noop" || named.type === "") return noop(server.guard ? `guard '${server.guard}'` : "no guard configured");
  if (named.type !== "wasm") return noop(`unknown guard type '${named.type}' of guard '${server.guard}'`, true);
  if (!named.path) return fail(`guard '${server.guard}' has type "wasm" but no path`);
  const guard = await loadWasmGuard(named.path, { name: server.guard!, defaultTimeoutMs: timeoutMs, logger: guardLogger }).catch((error: unknown) =>
    fail(errorText(error)),
  );
  if (!policy) {
    // Loaded all the same, as the reference does, so that a wrong path or a broken module is still an error.
    await guard.close();
    return noop(`guard '${server.guard}' has no policy to enforce`, true);
  }
  logger.server(server.id, "info", "difc", `Registered guard '${server.guard}' from ${named.path}; guard policy: ${JSON.stringify(guardPolicyToJson(policy))}`);
  return { serverId: server.id, guard, policy, wasm: true, ...(named.config ? { guardConfig: named.config } : {}) };
}

function parsePolicy(raw: unknown, what: string): GuardPolicy {
  try {
    return parseGuardPolicy(raw);
  } catch (error) {
    throw new Error(`invalid ${what}: ${errorText(error)}`, { cause: error });
  }
}

function adaptLogger(logger: GatewayLogger): GuardLogger {
  return { log: (level, guard, message) => logger.log(level, "guard", `[${guard}] ${message}`) };
}
