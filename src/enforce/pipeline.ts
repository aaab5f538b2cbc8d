// The per-call enforcement pipeline (difc.md §3.1), for tools/call and, beyond the reference,
// for resources/read and prompts/get: label_agent once per (agent, server) → tool-call budget →
// label_resource → coarse check → backend → label_response → per-item filtering or propagation
// → label accumulation. Every failure fails closed: nothing the guard did not label as
// readable reaches the agent. Every other method that carries the agent's data to a backend
// (and the agent's replies to a backend's requests) gets the write check alone (checkWrite).
import {
  ResponseLabelingError,
  accessDeniedLogMessage,
  StateUnavailableError,
  enforceResponse,
  evaluate,
  evaluateCoarseAccess,
  formatViolationError,
  guardInitFailedError,
  guardLabelingFailedError,
  isAllowed,
  label,
  labelResponse,
  overallLabels,
  responseLabelingFailedError,
  shouldCallLabelResponse,
  type AgentLabels,
  type AgentStore,
  type Evaluation,
  type LabeledCollection,
  type Operation,
  type ResourceLabels,
  type ResponseOutcome,
} from "../difc/index.ts";
import type { BackendCaller, GuardCallOptions } from "../guard/index.ts";
import { secrecyMarker, type GatewayLogger, type RpcLogRecord } from "../log/index.ts";
import { collaboratorPermissionLookup, withCollaboratorPermission } from "./collaborator-permission.ts";
import { EnforcementError, GUARD_FAILED, POLICY_DENIED, TOOL_CALL_LIMIT_REACHED } from "./errors.ts";
import type { GuardSessionState, GuardSessions } from "./guard-sessions.ts";
import type { ServerGuard } from "./server-guards.ts";
import { errorText, quietObserver, type DecisionEvent, type Observer } from "../shared/index.ts";

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
  /** Where each DIFC decision is reported (traces, metrics, the live view); by default nowhere. */
  observer?: Observer;
}

export class EnforcementPipeline {
  readonly #options: PipelineOptions;
  readonly #collaboratorPermission: (args: unknown, signal: AbortSignal) => Promise<unknown>;
  readonly #observer: Observer;

  constructor(options: PipelineOptions) {
    this.#options = options;
    this.#observer = options.observer ?? quietObserver;
    this.#collaboratorPermission = options.collaboratorPermission ?? collaboratorPermissionLookup({ env: {} });
  }

  /**
   * Runs one call through the pipeline. `backendCall` is called only when the coarse check lets
   * the call through, with the agent's labels and the function its exchange is to be logged
   * through (which marks the payloads that may carry secret data). tools/call results of a labelled collection come back as the reference
   * shapes them (the visible items as one JSON text block plus the notice); for other methods
   * the backend's own result is kept and only the filtered items are taken out of it.
   */
  async run(
    call: EnforcedCall,
    backendCall: (agent: AgentLabels, rpcLog: (record: RpcLogRecord) => void) => Promise<unknown>,
    method = "tools/call",
    options: RunOptions = {},
  ): Promise<unknown> {
    const { store, logger } = this.#options;
    const server = this.#guardOf(call.serverId);
    const guardCall = this.#guardCall(call);

    const session = await this.#guardSession(call, server, guardCall);
    const overBudget = await store.spendToolCall(call.agentId, call.serverId, session.limits, call.toolName);
    if (overBudget !== null) {
      this.#decided(call, method, session.mode, "coarse", "denied", "tool-call budget");
      throw new EnforcementError(TOOL_CALL_LIMIT_REACHED, overBudget);
    }

    const agent = await store.getOrCreate(call.agentId);
    const labelled = await this.#labelResource(call, server, guardCall);
    const { resource } = labelled;
    // The agent's own data rides along: whatever the guard says the call reads, it also writes.
    const operation: Operation = options.carriesAgentData && labelled.operation === "read" ? "read-write" : labelled.operation;
    const mode = session.mode;
    const coarse = evaluateCoarseAccess(agent, resource, operation, mode);
    if (coarse.kind === "denied") this.#deny(call, agent, resource, coarse.evaluation, method, mode, "coarse");

    const rpcLog = new SecrecyMarkingRpcLog(logger, agent.secrecy.size > 0);
    const resourceIsSecret = resource.secrecy.size > 0;
    const rawResult = await backendCall(agent, rpcLog.record).catch((error: unknown) => {
      rpcLog.decide(resourceIsSecret);
      throw error;
    });

    let labeled: LabeledCollection | null = null;
    let itemsPath = "";
    let outcome: ResponseOutcome | undefined;
    try {
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

      outcome = enforceResponse({
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
    } finally {
      // Fail closed: a response whose labels are not known (the guard failed) is logged as secret.
      rpcLog.decide(
        outcome === undefined ||
          resourceIsSecret ||
          outcome.kind === "error" ||
          outcome.filtered.length > 0 ||
          (labeled !== null && overallLabels(labeled).secrecy.size > 0),
      );
    }
    // The logger writes each record to rpc-messages.jsonl and as a [DIFC-FILTERED] line to the server's log.
    for (const record of outcome.records) logger.difcFiltered(record);
    const filtered = outcome.filtered.length;
    const filteredReason = outcome.filtered.some((item) => item.isSecrecyViolation) ? "secrecy" : "integrity";
    if (outcome.kind === "error") {
      this.#decided(call, method, mode, "response", "denied", filtered > 0 ? filteredReason : "unlabelled response", filtered);
      throw new EnforcementError(POLICY_DENIED, outcome.message);
    }
    if (filtered > 0) this.#decided(call, method, mode, "response", "filtered", filteredReason, filtered);
    else this.#decided(call, method, mode, "response", "allowed");
    if (outcome.absorb) await store.accumulateFromRead(call.agentId, outcome.absorb);
    if (method === "tools/call" || labeled === null || outcome.result === rawResult) return outcome.result;
    return withoutFiltered(
      rawResult,
      itemsPath,
      labeled,
      outcome.filtered.map(({ item }) => item),
      outcome.filtered.length,
    );
  }

  /** Whether the agent holds secrecy tags now: then whatever it sends (or a backend echoes of it) stays out of the logs. */
  agentHoldsSecrets(agentId: string): Promise<boolean> {
    return this.#options.store.holdsSecrecy(agentId);
  }

  /**
   * Where a call no guard labels is logged: its arguments and answer are sensitive when the agent
   * holds secrecy tags, as a labelled call's are; its answer also when `answerIsSecret`, for a
   * guard's own call_backend, whose answer nothing labels (fail closed).
   */
  async unlabelledRpcLog(agentId: string, answerIsSecret: boolean): Promise<(record: RpcLogRecord) => void> {
    const rpcLog = new SecrecyMarkingRpcLog(this.#options.logger, await this.agentHoldsSecrets(agentId));
    rpcLog.decide(answerIsSecret);
    return rpcLog.record;
  }

  /**
   * The write check alone, for a method other than tools/call that carries the agent's data to
   * the server (or the agent's reply to the server's request): the guard labels the method as it
   * labels a tool (the method name as the tool, the params as its arguments), and the agent's
   * labels must be allowed to flow there by the DIFC write rule, whatever operation the guard
   * names. Returns the agent's labels when allowed; a refusal is thrown and logged as a denied
   * tools/call is. The tool-call budget is not spent: these are not tool calls.
   */
  async checkWrite(call: EnforcedCall): Promise<AgentLabels> {
    const { store } = this.#options;
    const server = this.#guardOf(call.serverId);
    const guardCall = this.#guardCall(call);
    const session = await this.#guardSession(call, server, guardCall);
    const agent = await store.getOrCreate(call.agentId);
    const { resource } = await this.#labelResource(call, server, guardCall);
    const evaluation = evaluate(agent, resource, "write", session.mode);
    if (!isAllowed(evaluation)) this.#deny(call, agent, resource, evaluation, call.toolName, session.mode, "write");
    this.#decided(call, call.toolName, session.mode, "write", "allowed");
    return agent;
  }

  #guardCall(call: EnforcedCall): GuardCallOptions {
    return { backend: withCollaboratorPermission(call.callBackend, this.#collaboratorPermission), signal: call.signal };
  }

  #guardOf(serverId: string): ServerGuard {
    const server = this.#options.guards.get(serverId);
    if (!server) throw new EnforcementError(GUARD_FAILED, `no guard is registered for server "${serverId}"`);
    return server;
  }

  #guardSession(call: EnforcedCall, server: ServerGuard, guardCall: GuardCallOptions): Promise<GuardSessionState> {
    return this.#options.sessions.ensure(call.agentId, server, guardCall).catch((error: unknown) => {
      if (error instanceof StateUnavailableError) throw error;
      throw new EnforcementError(GUARD_FAILED, guardInitFailedError(`LabelAgent failed: ${errorText(error)}`), { cause: error });
    });
  }

  async #labelResource(call: EnforcedCall, server: ServerGuard, guardCall: GuardCallOptions): Promise<{ resource: ResourceLabels; operation: Operation }> {
    const labelled = await server.guard.labelResource(call.toolName, call.args, guardCall).catch((error: unknown) => {
      throw new EnforcementError(GUARD_FAILED, guardLabelingFailedError(errorText(error)), { cause: error });
    });
    return {
      resource: { description: labelled.description, secrecy: label(labelled.secrecy), integrity: label(labelled.integrity) },
      operation: labelled.operation,
    };
  }

  #deny(
    call: EnforcedCall,
    agent: AgentLabels,
    resource: ResourceLabels,
    evaluation: Evaluation,
    method: string,
    mode: string,
    phase: DecisionEvent["phase"],
  ): never {
    this.#decided(call, method, mode, phase, "denied", evaluation.secrecyToAdd.length > 0 ? "secrecy" : "integrity");
    // The agent's own error (below) is the only place the description may go back to.
    this.#options.logger.server(call.serverId, "warn", "difc", accessDeniedLogLine(call.agentId, agent, resource, evaluation.reason));
    throw new EnforcementError(POLICY_DENIED, formatViolationError(evaluation, agent, resource));
  }

  /** The reason is a category (secrecy, integrity, …), never text made from the agent's arguments or the items hidden. */
  #decided(
    call: EnforcedCall,
    method: string,
    mode: string,
    phase: DecisionEvent["phase"],
    decision: DecisionEvent["decision"],
    reason?: string,
    filtered?: number,
  ): void {
    this.#observer.event({
      kind: "decision",
      server: call.serverId,
      agent: call.agentId,
      tool: call.toolName,
      method,
      mode,
      phase,
      decision,
      ...(reason !== undefined ? { reason } : {}),
      ...(filtered !== undefined ? { filtered } : {}),
    });
  }
}

/**
 * The WARN line of a refused access, in the gateway's log and the proxy's. The description is
 * made from what the agent asked for (tool name and arguments, a REST path): while the agent holds
 * secrecy tags it may have spelt what it read there, so the line names it by its redaction
 * marker, in the description and wherever the reason quotes it.
 */
export function accessDeniedLogLine(agentId: string, agent: AgentLabels, resource: ResourceLabels, reason: string): string {
  const description = agent.secrecy.size > 0 ? secrecyMarker(resource.description) : resource.description;
  // An empty description would put the marker between every character of the reason.
  const shownReason = resource.description === "" ? reason : reason.replaceAll(resource.description, description);
  return accessDeniedLogMessage(agentId, description, shownReason);
}

export interface RunOptions {
  /**
   * The request carries data the agent chose beyond what the guard reads it for (prompt
   * arguments, a list cursor the server never handed out): a read is checked as a read-write.
   */
  carriesAgentData?: boolean;
}

/**
 * Logs one enforced call's exchange with its backend, marking the payloads that may carry secret
 * data as sensitive (the logger then writes a hash of them, not their content): the request and its
 * response when the agent already holds secrecy tags (its arguments may carry what it read, and
 * the response may echo them, as an ENOENT naming the path does), and otherwise the response when
 * its labels carry secrecy tags or anything in it was refused. The response is known to be either
 * only once it is labelled, so it waits here until `decide`.
 */
class SecrecyMarkingRpcLog {
  readonly #logger: GatewayLogger;
  readonly #agentHoldsSecrets: boolean;
  #held: RpcLogRecord[] = [];
  #responseIsSecret: boolean | undefined;

  constructor(logger: GatewayLogger, agentHoldsSecrets: boolean) {
    this.#logger = logger;
    this.#agentHoldsSecrets = agentHoldsSecrets;
  }

  readonly record = (record: RpcLogRecord): void => {
    if (record.event === "rpc_request") this.#logger.rpc(this.#agentHoldsSecrets ? { ...record, sensitive: true } : record);
    else if (this.#responseIsSecret === undefined) this.#held.push(record);
    else this.#logger.rpc(this.#responseIsSecret ? { ...record, sensitive: true } : record);
  };

  /** Writes the held response; only the first decision counts. */
  decide(responseIsSecret: boolean): void {
    if (this.#responseIsSecret !== undefined) return;
    this.#responseIsSecret = responseIsSecret || this.#agentHoldsSecrets;
    const held = this.#held;
    this.#held = [];
    for (const record of held) this.record(record);
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
  const segments = itemsPath
    .split("/")
    .slice(1)
    .filter((segment) => segment !== "")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
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
