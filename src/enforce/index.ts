// The enforcement layer's public face: everything the gateway needs to label and police calls,
// assembled from a config. The gateway plugs `pipeline` into its forward seam, serves `reflect`
// at /reflect and `guardStatus` in /health, and calls `close` on shutdown.
import type { GatewayConfig, RuntimeOptions } from "../config/index.ts";
import { reflectSnapshot, type AgentStore } from "../difc/index.ts";
import type { GuardStatus } from "../guard/index.ts";
import type { GatewayLogger } from "../log/index.ts";
import { observesSteps, quietObserver, type Observer } from "../shared/index.ts";
import { openStateBackend, type RedisStateHealth, type StateBackend } from "../state/index.ts";
import { collaboratorPermissionLookup } from "./collaborator-permission.ts";
import { GuardSessions } from "./guard-sessions.ts";
import { observedGuard } from "./observed-guard.ts";
import { EnforcementPipeline } from "./pipeline.ts";
import { createServerGuards, type ServerGuard } from "./server-guards.ts";

export { STATE_UNAVAILABLE } from "../difc/index.ts";
export { EnforcementError, GUARD_FAILED, POLICY_DENIED, TOOL_CALL_LIMIT_REACHED } from "./errors.ts";
export { EnforcementPipeline, accessDeniedLogLine, type EnforcedCall } from "./pipeline.ts";
export { createServerGuards } from "./server-guards.ts";
// The proxy (src/proxy) takes the same token, API URL and workflow-repository visibility as the gateway.
export { githubApiUrl, githubToken, workflowRepoVisibility } from "./github-visibility.ts";

export interface Enforcement {
  pipeline: EnforcementPipeline;
  /** Every agent's labels, tags sorted, for /reflect. */
  reflect(): Promise<Record<string, { secrecy: string[]; integrity: string[] }>>;
  /** How many agents the DIFC state holds labels for. */
  agentCount(): Promise<number>;
  /** What the agent spent of each tool-call budget a server's policy sets (tools it never called at 0), for the live view. */
  toolCallBudgets(agentId: string): Promise<ToolCallBudget[]>;
  /** Each server's guard and its state, for /health; `fallback` says why a server runs with noop instead of its guard. */
  guardStatus(): Record<string, GuardStatus & { fallback?: string }>;
  /**
   * Reports the guards' failures and recoveries to the observer until the returned function is
   * called, also when it observes no steps (then they are reported only while this is asked for).
   */
  reportGuardEvents(): () => void;
  /** The servers whose policy in force is a write-sink, for the URL-domain audit of their arguments. */
  writeSinkServerIds(): string[];
  /** The servers with a WASM guard, which may label a tool's result item by item and filter it. */
  itemLabelledServerIds(): string[];
  /** The shared DIFC state's health for /health; undefined when the state is this process's memory. */
  stateHealth(): RedisStateHealth | undefined;
  /** The key replicas sharing state digest credentials under; undefined for in-memory state. */
  digestKey: Buffer | undefined;
  /** Where the shared state lives (no password), for start-up lines; undefined for in-memory state. */
  stateUrl: string | undefined;
  /** Where replicas tell each other a backend's circuit breaker opened; undefined for in-memory state. */
  breakerBoard: StateBackend["breakerBoard"];
  /** Closes every guard and the state store; errors from all of them are joined. */
  close(): Promise<void>;
}

/** One budget of allow-only.tool-call-limits, as one agent stands with it. */
export interface ToolCallBudget {
  server: string;
  tool: string;
  used: number;
  limit: number;
}

export interface EnforcementOptions {
  logger: GatewayLogger;
  env: Readonly<Record<string, string | undefined>>;
  /** The agent-label store; default the one config.gateway.state names, else in memory. */
  store?: AgentStore;
  /** Where guard calls and DIFC decisions are reported (traces, metrics, the live view); by default nowhere. */
  observer?: Observer;
}

export async function createEnforcement(config: GatewayConfig, runtime: RuntimeOptions, options: EnforcementOptions): Promise<Enforcement> {
  const state: StateBackend = options.store
    ? { store: options.store, health: () => undefined, close: () => Promise.resolve() }
    : await openStateBackend(config.gateway.state?.url);
  const { store } = state;
  let guards: Map<string, ServerGuard>;
  try {
    guards = await createServerGuards(config, runtime, options);
  } catch (error) {
    await state.close();
    throw error;
  }
  const observer = options.observer ?? quietObserver;
  const guardEvents = guardEventsReporter(guards, observer);
  const sessions = new GuardSessions({
    store,
    defaultMode: runtime.guardsMode,
    ...(config.gateway.trustedBots ? { trustedBots: config.gateway.trustedBots } : {}),
  });
  const pipeline = new EnforcementPipeline({
    guards,
    sessions,
    store,
    logger: options.logger,
    observer,
    collaboratorPermission: collaboratorPermissionLookup({ env: options.env }),
  });
  return {
    pipeline,
    async reflect() {
      return (await reflectSnapshot(store, runtime.guardsMode, new Date())).agents;
    },
    async agentCount() {
      return store.count();
    },
    async toolCallBudgets(agentId) {
      const spent = await store.toolCallsSpent(agentId);
      return [...guards].flatMap(([server, { policy }]) =>
        policy?.kind === "allow-only"
          ? [...policy.allowOnly.toolCallLimits]
              .filter(([, limit]) => limit > 0)
              .map(([tool, limit]) => ({ server, tool, limit, used: spent.get(server)?.get(tool) ?? 0 }))
          : [],
      );
    },
    writeSinkServerIds() {
      return [...guards].flatMap(([serverId, { policy }]) => (policy?.kind === "write-sink" ? [serverId] : []));
    },
    itemLabelledServerIds() {
      return [...guards].flatMap(([serverId, { wasm }]) => (wasm ? [serverId] : []));
    },
    guardStatus() {
      return Object.fromEntries([...guards].map(([serverId, { guard, fallback }]) => [serverId, { ...guard.status(), ...(fallback ? { fallback } : {}) }]));
    },
    reportGuardEvents: guardEvents,
    stateHealth: () => state.health(),
    digestKey: state.digestKey,
    stateUrl: state.url,
    breakerBoard: state.breakerBoard,
    async close() {
      const results = await Promise.allSettled([...[...guards.values()].map(({ guard }) => guard.close()), state.close()]);
      const errors = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
      if (errors.length > 0) throw new AggregateError(errors, `closing ${errors.length} guard(s) failed`);
    },
  };
}

/**
 * Wraps the guards so that their failures and recoveries reach `observer`. An observer of steps
 * (metrics, tracing) gets every guard call as a step, so the guards are wrapped for good. One of
 * events alone (the live view) uses them only while a page watches: the guards are wrapped only
 * while someone asks, so a gateway nobody watches calls its guards as they are.
 */
function guardEventsReporter(guards: ReadonlyMap<string, ServerGuard>, observer: Observer): () => () => void {
  if (observesSteps(observer)) {
    for (const server of guards.values()) server.guard = observedGuard(server.guard, server.serverId, observer);
    return () => () => undefined;
  }
  const plain = new Map([...guards].map(([serverId, { guard }]) => [serverId, guard]));
  let askers = 0;
  return () => {
    if (askers++ === 0) for (const server of guards.values()) server.guard = observedGuard(server.guard, server.serverId, observer);
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      if (--askers === 0) for (const server of guards.values()) server.guard = plain.get(server.serverId)!;
    };
  };
}
