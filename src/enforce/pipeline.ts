// The per-call enforcement pipeline (difc.md §3.1), for tools/call and, beyond the reference,
// for resources/read and prompts/get: label_agent once per (agent, server) → tool-call budget →
// label_resource → coarse check → backend → label_response → per-item filtering or propagation
// → label accumulation. Every failure fails closed: nothing the guard did not label as
// readable reaches the agent.
import {
  ResponseLabelingError,
  StateUnavailableError,
  enforceResponse,
  evaluateCoarseAccess,
  formatViolationError,
  guardInitFailedError,
  guardLabelingFailedError,
  label,
  labelResponse,
  responseLabelingFailedError,
  shouldCallLabelResponse,
  type AgentLabels,
  type AgentStore,
  type LabeledCollection,
  type ResourceLabels,
} from "../difc/index.ts";
import type { BackendCaller, GuardCallOptions } from "../guard/index.ts";
import type { GatewayLogger } from "../log/types.ts";
import { collaboratorPermissionLookup, withCollaboratorPermission } from "./collaborator-permission.ts";
import { EnforcementError, GUARD_FAILED, POLICY_DENIED, TOOL_CALL_LIMIT_REACHED, errorText } from "./errors.ts";
import type { GuardSessions } from "./guard-sessions.ts";
import type { ServerGuard } from "./server-guards.ts";

/** One call as the pipeline sees it: which labelled operation, on which server, for which agent. */
export interface EnforcedCall {
  serverId: string;
  agentId: string;
  /** The name the guard labels: the tool for tools/call, the method itself otherwise. */
  toolName: string;
  /** What the guard receives as tool_args: the tool's arguments, or the request's params. */
  args: unknown;
  signal: AbortSignal;
  /** Answers the guard's call_backend (a tools/call on the same backend, outside the pipeline). */
  callBackend: BackendCaller;
}

export interface PipelineOptions {
  guards: ReadonlyMap<string, ServerGuard>;
  sessions: GuardSessions;
  store: AgentStore;
  logger: GatewayLogger;
  /**
   * Answers a guard's get_collaborator_permission from the GitHub API (collaboratorPermissionLookup);
   * by default every such call fails, as it does without a token. Never forwarded to the backend.
   */
  collaboratorPermission?: (args: unknown, signal: AbortSignal) => Promise<unknown>;
}

export class EnforcementPipeline {
  readonly #options: PipelineOptions;
  readonly #collaboratorPermission: (args: unknown, signal: AbortSignal) => Promise<unknown>;

  constructor(options: PipelineOptions) {
    this.#options = options;
    this.#collaboratorPermission = options.collaboratorPermission ?? collaboratorPermissionLookup({ env: {} });
  }

  /**
   * Runs one call through the pipeline. `backendCall` is called only when the coarse check lets
   * the call through. tools/call results of a labelled collection come back as the reference
   * shapes them (the visible items as one JSON text block plus the notice); for other methods
   * the backend's own result is kept and only the filtered items are taken out of it.
   */
  async run(call: EnforcedCall, backendCall: (agent: AgentLabels) => Promise<unknown>, method = "tools/call"): Promise<unknown> {
    const { guards, sessions, store, logger } = this.#options;
    const server = guards.get(call.serverId);
    if (!server) throw new EnforcementError(GUARD_FAILED, `no guard is registered for server "${call.serverId}"`);
    const guardCall: GuardCallOptions = { backend: withCollaboratorPermission(call.callBackend, this.#collaboratorPermission), signal: call.signal };

    const session = await sessions.ensure(call.agentId, server, guardCall).catch((error: unknown) => {
      if (error instanceof StateUnavailableError) throw error;
      throw new EnforcementError(GUARD_FAILED, guardInitFailedError(`LabelAgent failed: ${errorText(error)}`), { cause: error });
    });
    const overBudget = await store.spendToolCall(call.agentId, call.serverId, session.limits, call.toolName);
    if (overBudget !== null) throw new EnforcementError(TOOL_CALL_LIMIT_REACHED, overBudget);

    const agent = await store.getOrCreate(call.agentId);
    const labelled = await server.guard.labelResource(call.toolName, call.args, guardCall).catch((error: unknown) => {
      throw new EnforcementError(GUARD_FAILED, guardLabelingFailedError(errorText(error)), { cause: error });
    });
    const resource: ResourceLabels = {
      description: labelled.description,
      secrecy: label(labelled.secrecy),
      integrity: label(labelled.integrity),
    };
    const { operation } = labelled;
    const mode = session.mode;
    const coarse = evaluateCoarseAccess(agent, resource, operation, mode);
    if (coarse.kind === "denied") {
      logger.server(call.serverId, "warn", "difc", `Access DENIED for agent ${call.agentId} to ${resource.description}: ${coarse.evaluation.reason}`);
      throw new EnforcementError(POLICY_DENIED, formatViolationError(coarse.evaluation, agent, resource));
    }

    const rawResult = await backendCall(agent);

    let labeled: LabeledCollection | null = null;
    let itemsPath = "";
    if (shouldCallLabelResponse(operation, mode)) {
      try {
        const output = await server.guard.labelResponse(call.toolName, rawResult, call.args, guardCall);
        labeled = labelResponse(output, rawResult);
        if (typeof output?.["items_path"] === "string") itemsPath = output["items_path"];
      } catch (error) {
        const detail = error instanceof ResponseLabelingError ? error.message : errorText(error);
        throw new EnforcementError(GUARD_FAILED, responseLabelingFailedError(detail), { cause: error });
      }
    }

    const outcome = enforceResponse({
      agentId: call.agentId,
      serverId: call.serverId,
      toolName: call.toolName,
      operation,
      mode,
      agent,
      resource,
      coarse,
      labeled,
      rawResult,
    });
    // The logger writes each record to rpc-messages.jsonl and as a [DIFC-FILTERED] line to the server's log.
    for (const record of outcome.records) logger.difcFiltered(record);
    if (outcome.kind === "error") throw new EnforcementError(POLICY_DENIED, outcome.message);
    if (outcome.absorb) await store.accumulateFromRead(call.agentId, outcome.absorb);
    if (method === "tools/call" || labeled === null || outcome.result === rawResult) return outcome.result;
    return withoutFiltered(rawResult, itemsPath, labeled, outcome.filtered.map(({ item }) => item), outcome.filtered.length);
  }
}

/**
 * The backend's result with the filtered items removed from the collection at `itemsPath`, and
 * a note of how many were removed in `_meta`, so a resources/read or prompts/get result keeps
 * its own shape.
 */
function withoutFiltered(raw: unknown, itemsPath: string, labeled: LabeledCollection, filtered: readonly unknown[], count: number): unknown {
  const hidden = new Set(filtered);
  const visible = labeled.items.filter((item) => !hidden.has(item)).map((item) => item.data);
  const result = structuredClone(raw) as Record<string, unknown>;
  const segments = itemsPath.split("/").slice(1).filter((segment) => segment !== "").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
  const last = segments.pop();
  // A result labelled as one whole item is either visible, or refused before we get here.
  if (last === undefined) return raw;
  let parent: unknown = result;
  for (const segment of segments) parent = (parent as Record<string, unknown>)[segment];
  (parent as Record<string, unknown>)[last] = visible;
  if (count > 0) {
    const meta = (result["_meta"] as Record<string, unknown> | undefined) ?? {};
    result["_meta"] = { ...meta, "flowgate/filtered": `${count} item(s) were removed by the information-flow policy` };
  }
  return result;
}
