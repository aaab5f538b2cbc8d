// The DIFC pipeline of one proxied read (gateway.md §7.6, difc.md §3.6): the same phases as the
// gateway's, with the upstream HTTP call as the backend. label_agent runs once at startup for the
// fixed agent `proxy`; a read is labelled and coarse-checked before it is forwarded, and its
// answer is labelled item by item and filtered after. The guard sees the API's JSON as the text
// of an MCP tool result, as it sees a GitHub MCP server's, so a guard built for the gateway (the
// reference's included) labels the proxy's traffic unchanged.
import {
  InMemoryAgentStore,
  ResponseLabelingError,
  evaluateCoarseAccess,
  filterCollection,
  label,
  labelAgentPayload,
  labelResponse,
  pointerSegments,
  reflectSnapshot,
  shouldAccumulateReadLabels,
  shouldCallLabelResponse,
  trimmedTags,
  overallLabels,
  type AgentLabels,
  type CoarseOutcome,
  type EnforcementMode,
  type LabeledCollection,
  type Operation,
  type ResourceLabels,
} from "../difc/index.ts";
import { accessDeniedLogLine } from "../enforce/index.ts";
import { GuardError, type BackendCaller, type Guard } from "../guard/index.ts";
import type { GatewayLogger } from "../log/index.ts";
import { errorText } from "../shared/index.ts";
import type { GuardToolCall } from "./rest-routes.ts";

export const PROXY_AGENT_ID = "proxy";
/** The server id of the proxy's guard in logs and difc_filtered records (the reference's guard name). */
export const PROXY_GUARD_NAME = "github";

/** A refusal with the HTTP status and JSON body the client gets. */
export class ProxyRefusal extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown, message: string) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export function difcForbidden(reason: string): ProxyRefusal {
  return new ProxyRefusal(403, { error: "difc_forbidden", message: `DIFC policy violation: ${reason}` }, reason);
}

/** What phases 0–2 decided about a read, carried to the filtering of its answer. */
export interface CheckedRead {
  call: GuardToolCall;
  agent: AgentLabels;
  resource: ResourceLabels;
  operation: Operation;
  coarse: CoarseOutcome;
  backend: BackendCaller;
}

/** The shape of the answer, for rebuilding it with only the visible items. */
export type AnswerShape = "rest" | "graphql";

export interface ProxyEnforcerOptions {
  guard: Guard;
  logger: GatewayLogger;
  /** The server-wide mode; replaced by the mode label_agent returns when a policy is given. */
  mode: EnforcementMode;
}

export class ProxyEnforcer {
  readonly #guard: Guard;
  readonly #logger: GatewayLogger;
  readonly #store = new InMemoryAgentStore();
  #mode: EnforcementMode;
  #initialized = false;

  constructor(options: ProxyEnforcerOptions) {
    this.#guard = options.guard;
    this.#logger = options.logger;
    this.#mode = options.mode;
  }

  get mode(): EnforcementMode {
    return this.#mode;
  }

  /**
   * Runs label_agent once with the (validated) policy and adopts the guard's mode. Without this,
   * every filtered read is refused with 503: no policy, no enforcement, nothing let through.
   */
  async initialize(policy: Record<string, unknown>, extras: { trustedBots: readonly string[]; trustedUsers: readonly string[] }): Promise<void> {
    const payload = labelAgentPayload(policy, {
      ...(extras.trustedBots.length > 0 ? { trustedBots: extras.trustedBots } : {}),
      ...(extras.trustedUsers.length > 0 ? { trustedUsers: extras.trustedUsers } : {}),
    });
    const result = await this.#guard.labelAgent(payload);
    await this.#store.addLabels(PROXY_AGENT_ID, { secrecy: label(trimmedTags(result.secrecy)), integrity: label(trimmedTags(result.integrity)) });
    this.#mode = result.difcMode;
    this.#initialized = true;
  }

  async reflect(): Promise<unknown> {
    return reflectSnapshot(this.#store, this.#mode, new Date());
  }

  /**
   * Whether the proxy's agent holds secrecy tags now. Its log lines then follow the gateway's
   * policy (docs/security.md, "Private data stays out of the log files"): a path, a resource
   * description or a guard's message, which may spell out what the agent read, is not quoted.
   */
  holdsSecrecy(): Promise<boolean> {
    return this.#store.holdsSecrecy(PROXY_AGENT_ID);
  }

  /** Phases 0–2: label the resource and run the coarse check; throws the refusal to send. */
  async check(call: GuardToolCall, backend: BackendCaller, signal: AbortSignal): Promise<CheckedRead> {
    if (!this.#initialized) {
      throw new ProxyRefusal(503, { error: "service_unavailable", message: "proxy enforcement not configured" }, "no guard policy");
    }
    const agent = await this.#store.getOrCreate(PROXY_AGENT_ID);
    const labelled = await this.#guard.labelResource(call.toolName, call.args, { backend, signal }).catch((error: unknown) => {
      this.#logger.log("error", "proxy", `label_resource failed for ${call.toolName}: ${guardFailureText(error, agent)}`);
      throw new ProxyRefusal(502, { error: "bad_gateway", message: "resource labeling failed" }, errorText(error));
    });
    const resource: ResourceLabels = { description: labelled.description, secrecy: label(labelled.secrecy), integrity: label(labelled.integrity) };
    const coarse = evaluateCoarseAccess(agent, resource, labelled.operation, this.#mode);
    if (coarse.kind === "denied") {
      this.#logger.log("warn", "difc", accessDeniedLogLine(PROXY_AGENT_ID, agent, resource, coarse.evaluation.reason));
      throw difcForbidden(coarse.evaluation.reason);
    }
    return { call, agent, resource, operation: labelled.operation, coarse, backend };
  }

  /**
   * Phases 4–6 on a JSON answer: label it, filter it, and return the JSON to send. A labelling
   * failure falls back to the coarse decision: the answer as it is if the coarse check allowed
   * it, else an empty answer of the same shape; never the unlabelled items of a failed check.
   */
  async filter(read: CheckedRead, answerText: string, answer: unknown, shape: AnswerShape, signal: AbortSignal): Promise<unknown> {
    const coarseAllowed = read.coarse.kind === "allowed";
    const fallback = (): unknown => (coarseAllowed ? answer : emptyAnswer(answer, shape));
    if (!shouldCallLabelResponse(read.operation, this.#mode)) return fallback();

    const toolResult = { content: [{ type: "text", text: answerText }] };
    let labeled: LabeledCollection | null;
    try {
      const output = await this.#guard.labelResponse(read.call.toolName, toolResult, read.call.args, { backend: read.backend, signal });
      labeled = labelResponse(output, toolResult);
    } catch (error) {
      this.#logger.log("warn", "proxy", `label_response failed for ${read.call.toolName} (coarse fallback): ${guardFailureText(error, read.agent)}`);
      return fallback();
    }
    if (labeled === null) {
      if (shouldAccumulateReadLabels(read.operation, this.#mode)) await this.#store.accumulateFromRead(PROXY_AGENT_ID, read.resource);
      return fallback();
    }

    const outcome = filterCollection(labeled, read.agent, {
      agentId: PROXY_AGENT_ID,
      serverId: PROXY_GUARD_NAME,
      toolName: read.call.toolName,
      operation: read.operation,
      mode: this.#mode,
    });
    if (outcome.kind === "blocked") {
      throw difcForbidden(`${outcome.filtered.length} of ${labeled.items.length} items not accessible`);
    }
    for (const record of outcome.records) this.#logger.difcFiltered(record);
    if (shouldAccumulateReadLabels(read.operation, this.#mode)) await this.#store.accumulateFromRead(PROXY_AGENT_ID, overallLabels(labeled));
    if (outcome.filtered.length === 0) return answer;
    const kept = outcome.kind === "filtered" ? outcome.kept.map((item) => item.data) : [];
    if (labeled.itemsPath === undefined || (labeled.itemsPath === "" && !Array.isArray(answer))) {
      // The answer was labelled as one whole item, and that item is not visible; or the guard
      // listed items of its own (the legacy `items` form), which cannot be put back into the
      // API's shape, so a partly visible list is refused whole.
      if (shape === "graphql") return { data: null };
      throw difcForbidden(outcome.kind === "single-item-denied" ? outcome.error : `${read.resource.description} is not accessible`);
    }
    return withItems(answer, labeled.itemsPath, kept, shape);
  }
}

/**
 * A guard failure as the log may quote it: its text, which may quote the arguments the agent sent
 * or what it read, only while the agent holds no secrecy tags; else its kind alone (trap, timeout,
 * error …), as the gateway's traces report it.
 */
function guardFailureText(error: unknown, agent: AgentLabels): string {
  if (agent.secrecy.size === 0) return errorText(error);
  const kind = error instanceof GuardError ? error.kind : error instanceof ResponseLabelingError ? "unusable labels" : "error";
  return `${kind} (the message is not logged: the agent holds secrecy tags)`;
}

/** The answer with only `kept` at `itemsPath`; a search envelope's counts follow (gateway.md §7.2 step 9). */
function withItems(answer: unknown, itemsPath: string, kept: unknown[], shape: AnswerShape): unknown {
  if (shape === "graphql" && kept.length === 0) return { data: null };
  const segments = pointerSegments(itemsPath);
  const last = segments.pop();
  if (last === undefined) return kept;
  const copy = structuredClone(answer) as Record<string, unknown>;
  let parent: unknown = copy;
  for (const segment of segments) parent = (parent as Record<string, unknown>)[segment];
  (parent as Record<string, unknown>)[last] = kept;
  if (shape === "rest" && segments.length === 0 && last === "items" && "total_count" in copy) {
    copy["total_count"] = kept.length;
    copy["incomplete_results"] = false;
  }
  return copy;
}

function emptyAnswer(answer: unknown, shape: AnswerShape): unknown {
  if (shape === "graphql") return { data: null };
  return Array.isArray(answer) ? [] : {};
}
