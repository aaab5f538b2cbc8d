import type { Notification, Request, Result } from "@modelcontextprotocol/sdk/types.js";
import type { Backend } from "./backend.ts";
import type { ClientSide } from "./client-side.ts";
import { DEFAULT_LIMITS } from "../config/index.ts";
import { AGENT_LIMIT_REACHED, AGENT_LIMIT_RETRY_AFTER_S, BackendError } from "./errors.ts";
import { BackendSession } from "./session.ts";

/** One MCP session's side of a shared backend connection. */
export interface SessionSide extends ClientSide {
  /** When this session's latest call to the backend still in flight began (performance.now()); undefined when none is. */
  callInFlightSince(): number | undefined;
}

/**
 * The backend connections of the gateway, one per agent (gateway session id) and server, as the
 * reference pools them: every MCP session that an agent opens uses the same backend process. A
 * connection is opened on the first call, and closed when the last session using it closes.
 * Sessions share a connection only when they declared the same client capabilities, since the
 * connection is initialized with them: a session that can answer sampling (or roots, or
 * elicitation) gets a backend that knows it, and one that cannot never receives such a request.
 */
export class SharedBackendSessions {
  readonly #entries = new Map<string, SharedEntry>();
  readonly #maxPerServer: number;

  /** `maxPerServer`: connections (each its own process for a stdio server) one server may have at once. */
  constructor(maxPerServer: number = DEFAULT_LIMITS.maxAgentsPerServer) {
    this.#maxPerServer = maxPerServer;
  }

  /**
   * The agent's connection to `backend`, shared with the agent's other sessions; leave() when the
   * session closes. Throws AgentLimitError when the server already has its most connections.
   */
  join(backend: Backend, agentId: string, side: SessionSide): JoinedBackend {
    const key = JSON.stringify([backend.id, agentId, side.capabilities]);
    let entry = this.#entries.get(key);
    if (entry) {
      entry.sides.add(side);
    } else {
      if (this.#connectionsTo(backend.id) >= this.#maxPerServer) throw new AgentLimitError(backend.id, this.#maxPerServer);
      const sides = new SessionSides(side);
      entry = { serverId: backend.id, session: new BackendSession(backend, sides), sides };
      this.#entries.set(key, entry);
    }
    const joined = entry;
    return {
      session: joined.session,
      // The last session to leave closes the connection.
      leave: async () => {
        if (!joined.sides.remove(side) || !joined.sides.empty) return;
        if (this.#entries.get(key) === joined) this.#entries.delete(key);
        await joined.session.close();
      },
    };
  }

  #connectionsTo(serverId: string): number {
    let count = 0;
    for (const entry of this.#entries.values()) if (entry.serverId === serverId) count++;
    return count;
  }
}

/** A new agent refused because the server already serves --max-agents-per-server agents. */
class AgentLimitError extends BackendError {
  constructor(serverId: string, limit: number) {
    super(
      AGENT_LIMIT_REACHED,
      serverId,
      `backend "${serverId}" already serves ${limit} agents, the gateway's limit (--max-agents-per-server); ` +
        `retry after ${AGENT_LIMIT_RETRY_AFTER_S}s, once another agent's sessions have closed, or raise the limit`,
    );
  }
}

/** One session's place on a shared connection. */
export interface JoinedBackend {
  session: BackendSession;
  leave(): Promise<void>;
}

interface SharedEntry {
  serverId: string;
  session: BackendSession;
  sides: SessionSides;
}

/**
 * Where a shared connection's backend-to-client traffic goes. A request (sampling, elicitation,
 * roots) or a notification belongs to the session whose call is in flight, the most recent one
 * when several are; with none in flight a request goes to the newest session, and a notification
 * (list changed, log message) to every session. Progress goes to every session: each relays only
 * the tokens of its own requests.
 */
class SessionSides implements ClientSide {
  /** What the connection was opened with: those of every session on it. */
  readonly capabilities: ClientSide["capabilities"];
  readonly #sides: SessionSide[];
  // Every session on the connection is the same agent's (see join), so the first one answers for all.
  readonly #first: SessionSide;

  constructor(first: SessionSide) {
    this.capabilities = first.capabilities;
    this.#sides = [first];
    this.#first = first;
  }

  agentHoldsSecrets(): Promise<boolean> {
    return this.#first.agentHoldsSecrets?.() ?? Promise.resolve(false);
  }

  get empty(): boolean {
    return this.#sides.length === 0;
  }

  add(side: SessionSide): void {
    this.#sides.push(side);
  }

  remove(side: SessionSide): boolean {
    const index = this.#sides.indexOf(side);
    if (index === -1) return false;
    this.#sides.splice(index, 1);
    return true;
  }

  request(request: Request, signal: AbortSignal): Promise<Result> {
    const side = this.#busiest() ?? this.#sides.at(-1);
    if (!side) return Promise.reject(new Error(`no agent session is open to answer ${request.method}`));
    return side.request(request, signal);
  }

  async notify(notification: Notification): Promise<void> {
    const busy = notification.method === "notifications/progress" ? undefined : this.#busiest();
    await Promise.all((busy ? [busy] : this.#sides).map((side) => side.notify(notification)));
  }

  #busiest(): SessionSide | undefined {
    let latest: SessionSide | undefined;
    let latestSince = Number.NEGATIVE_INFINITY;
    for (const side of this.#sides) {
      const since = side.callInFlightSince();
      if (since !== undefined && since >= latestSince) {
        latest = side;
        latestSince = since;
      }
    }
    return latest;
  }
}
