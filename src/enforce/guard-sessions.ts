// Step S3 of the pipeline: label_agent runs once per (agent, server), the first time that agent
// calls that server; its tags are added to the agent and its mode governs that agent's calls to
// that server. The result is cached with the server's tool-call limits (the calls spent are
// counted in the store). Concurrent first calls share one label_agent call; a failed one is not
// cached, so the next call tries again.
import { guardPolicyToJson, label, labelAgentPayload, trimmedTags, type AgentStore, type EnforcementMode } from "../difc/index.ts";
import type { GuardCallOptions } from "../guard/index.ts";
import type { ServerGuard } from "./server-guards.ts";

export interface GuardSessionState {
  mode: EnforcementMode;
  /** Per-tool budgets from allow-only.tool-call-limits; empty when the server has no policy. */
  limits: ReadonlyMap<string, number>;
}

export interface GuardSessionsOptions {
  store: AgentStore;
  /** The server-wide mode, for servers without a policy. */
  defaultMode: EnforcementMode;
  trustedBots?: readonly string[];
}

export class GuardSessions {
  readonly #options: GuardSessionsOptions;
  readonly #states = new Map<string, Promise<GuardSessionState>>();

  constructor(options: GuardSessionsOptions) {
    this.#options = options;
  }

  ensure(agentId: string, server: ServerGuard, call: GuardCallOptions): Promise<GuardSessionState> {
    const key = `${agentId}\u0000${server.serverId}`;
    let state = this.#states.get(key);
    if (!state) {
      state = this.#initialize(agentId, server, call);
      this.#states.set(key, state);
      state.catch(() => this.#states.delete(key));
    }
    return state;
  }

  async #initialize(agentId: string, server: ServerGuard, call: GuardCallOptions): Promise<GuardSessionState> {
    const { policy } = server;
    if (!policy) return { mode: this.#options.defaultMode, limits: new Map() };
    const result = await server.guard.labelAgent(this.payload(server), call);
    // label_agent tags are trimmed and empties dropped (difc.md §1.1); other guard outputs are verbatim.
    await this.#options.store.addLabels(agentId, { secrecy: label(trimmedTags(result.secrecy)), integrity: label(trimmedTags(result.integrity)) });
    return {
      mode: result.difcMode,
      limits: policy.kind === "allow-only" ? policy.allowOnly.toolCallLimits : new Map(),
    };
  }

  /**
   * What label_agent receives. WASM guards get the reference's validated transport shape, plus
   * the guard's own `config` from the config file under `guard-config` (a flowgate extension:
   * guards that are not the GitHub guard need settings that allow-only has no keys for).
   */
  payload(server: ServerGuard): Record<string, unknown> {
    const json = guardPolicyToJson(server.policy!);
    if (!server.wasm) return json;
    const payload = labelAgentPayload(json, this.#options.trustedBots ? { trustedBots: this.#options.trustedBots } : {});
    return server.guardConfig ? { ...payload, "guard-config": server.guardConfig } : payload;
  }
}
