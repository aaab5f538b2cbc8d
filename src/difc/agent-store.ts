import { intersect, label, sortedTags, union, type AgentLabels, type EnforcementMode } from "./labels.ts";
import { consumeToolCall } from "./policy/tool-call-limits.ts";

/**
 * The labels of every agent (keyed by agent id = MCP session id), shared by all backend servers.
 * Each method is one atomic step, so a shared store (e.g. Redis, for several gateway replicas)
 * can implement it without read-modify-write races between concurrent sessions.
 */
export interface AgentStore {
  /** The agent's labels; an unknown agent is created with empty labels. */
  getOrCreate(agentId: string): Promise<AgentLabels>;
  /** label_agent results: adds tags (union); never removes any. */
  addLabels(agentId: string, added: AgentLabels): Promise<AgentLabels>;
  /** Propagate-mode read: secrecy ∪= read.secrecy, integrity ∩= read.integrity. */
  accumulateFromRead(agentId: string, read: AgentLabels): Promise<AgentLabels>;
  /**
   * Spends one call of the agent's budget for `toolName` on `serverId` (limits from the server's
   * allow-only.tool-call-limits). Null when the call may proceed, else the refusal's text. Check
   * and spend are one step, so concurrent calls (on any replica) never overspend.
   */
  spendToolCall(agentId: string, serverId: string, limits: ReadonlyMap<string, number>, toolName: string): Promise<string | null>;
  /** The calls the agent has spent of its budgets (only tools with a limit count), by server, then by tool; for the live view. */
  toolCallsSpent(agentId: string): Promise<ReadonlyMap<string, ReadonlyMap<string, number>>>;
  /**
   * Whether the agent holds any secrecy tag, without creating it: the log files ask this of every
   * call, and only an agent that has read something may hold one.
   */
  holdsSecrecy(agentId: string): Promise<boolean>;
  /** Every agent's labels at this moment. */
  entries(): Promise<ReadonlyMap<string, AgentLabels>>;
  /** How many agents the store holds labels for, without reading their labels (the metrics' gauge, read at every scrape). */
  count(): Promise<number>;
}

/** The JSON-RPC error code of a call refused because the shared DIFC state could not be read or written. */
export const STATE_UNAVAILABLE = -32033;

/**
 * What a shared store rejects with when it cannot answer (unreachable, too slow): the call that
 * needed the state fails closed with this message and code, never with labels it could not read.
 */
export class StateUnavailableError extends Error {
  readonly code = STATE_UNAVAILABLE;
}

const EMPTY: AgentLabels = { secrecy: label(), integrity: label() };

/** What reading data labelled `read` does to an agent's labels. */
export function accumulateFromRead(agent: AgentLabels, read: AgentLabels): AgentLabels {
  return { secrecy: union(agent.secrecy, read.secrecy), integrity: intersect(agent.integrity, read.integrity) };
}

export function addLabels(agent: AgentLabels, added: AgentLabels): AgentLabels {
  return { secrecy: union(agent.secrecy, added.secrecy), integrity: union(agent.integrity, added.integrity) };
}

/** The process-local store: one Map; labels live until the process exits, as in the reference. */
export class InMemoryAgentStore implements AgentStore {
  readonly #agents = new Map<string, AgentLabels>();
  /** Calls spent, by agent, then by server, then by tool. */
  readonly #spent = new Map<string, Map<string, Map<string, number>>>();

  getOrCreate(agentId: string): Promise<AgentLabels> {
    return Promise.resolve(this.#current(agentId));
  }

  addLabels(agentId: string, added: AgentLabels): Promise<AgentLabels> {
    return Promise.resolve(this.#set(agentId, addLabels(this.#current(agentId), added)));
  }

  accumulateFromRead(agentId: string, read: AgentLabels): Promise<AgentLabels> {
    return Promise.resolve(this.#set(agentId, accumulateFromRead(this.#current(agentId), read)));
  }

  spendToolCall(agentId: string, serverId: string, limits: ReadonlyMap<string, number>, toolName: string): Promise<string | null> {
    let servers = this.#spent.get(agentId);
    if (!servers) this.#spent.set(agentId, (servers = new Map()));
    let counts = servers.get(serverId);
    if (!counts) servers.set(serverId, (counts = new Map()));
    return Promise.resolve(consumeToolCall(limits, counts, toolName));
  }

  toolCallsSpent(agentId: string): Promise<ReadonlyMap<string, ReadonlyMap<string, number>>> {
    const servers = this.#spent.get(agentId) ?? new Map<string, Map<string, number>>();
    return Promise.resolve(new Map([...servers].flatMap(([serverId, counts]) => (counts.size > 0 ? [[serverId, new Map(counts)] as const] : []))));
  }

  holdsSecrecy(agentId: string): Promise<boolean> {
    return Promise.resolve((this.#agents.get(agentId)?.secrecy.size ?? 0) > 0);
  }

  entries(): Promise<ReadonlyMap<string, AgentLabels>> {
    return Promise.resolve(new Map(this.#agents));
  }

  count(): Promise<number> {
    return Promise.resolve(this.#agents.size);
  }

  #current(agentId: string): AgentLabels {
    const existing = this.#agents.get(agentId);
    if (existing !== undefined) return existing;
    this.#agents.set(agentId, EMPTY);
    return EMPTY;
  }

  #set(agentId: string, labels: AgentLabels): AgentLabels {
    // Labels are replaced, never mutated, so a value handed out earlier stays a true snapshot.
    this.#agents.set(agentId, labels);
    return labels;
  }
}

/** The body of `/reflect`. */
export interface ReflectSnapshot {
  agents: Record<string, { secrecy: string[]; integrity: string[] }>;
  mode: EnforcementMode;
  timestamp: string;
}

/** `/reflect`: every agent with sorted tags, the server-wide mode, and `now` in RFC 3339 UTC to the second. */
export async function reflectSnapshot(store: AgentStore, mode: EnforcementMode, now: Date): Promise<ReflectSnapshot> {
  const agents: ReflectSnapshot["agents"] = {};
  for (const [agentId, labels] of await store.entries()) {
    agents[agentId] = { secrecy: sortedTags(labels.secrecy), integrity: sortedTags(labels.integrity) };
  }
  return { agents, mode, timestamp: now.toISOString().replace(/\.\d{3}Z$/, "Z") };
}
