import type { AgentSession } from "../sessions/index.ts";
import type { HttpServerTransport } from "./server-transport.ts";

export interface LiveSession {
  id: string;
  /** "/mcp" or "/mcp/<serverID>": a session id is only valid on the route that created it. */
  route: string;
  agent: AgentSession;
  transport: HttpServerTransport;
}

/**
 * The open MCP sessions, each closed after `idleTimeoutMs` without a request. The idle clock
 * stops while a POST of the session is in flight, so a long tool call is never cut.
 */
export class SessionRegistry {
  readonly #sessions = new Map<string, { live: LiveSession; timer?: NodeJS.Timeout; busy: number }>();
  #busyTotal = 0;
  #idleWaiters: Array<() => void> = [];
  readonly #idleTimeoutMs: number;
  readonly #onExpired: (id: string) => void;

  constructor(idleTimeoutMs: number, onExpired: (id: string) => void) {
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#onExpired = onExpired;
  }

  add(live: LiveSession): void {
    this.#sessions.set(live.id, { live, busy: 0 });
    this.#arm(live.id);
  }

  /** Sessions open now. */
  get size(): number {
    return this.#sessions.size;
  }

  get(id: string): LiveSession | undefined {
    return this.#sessions.get(id)?.live;
  }

  /** Marks a request of session `id` as started; call the returned function when it ends. */
  begin(id: string): () => void {
    const entry = this.#sessions.get(id);
    if (!entry) return () => undefined;
    entry.busy++;
    this.#busyTotal++;
    clearTimeout(entry.timer);
    return () => {
      entry.busy--;
      this.#busyTotal--;
      this.#arm(id);
      if (this.#busyTotal === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    };
  }

  /** Resolves once no POST of any session is in flight (at once when none is). */
  whenIdle(): Promise<void> {
    if (this.#busyTotal === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async close(id: string): Promise<void> {
    const entry = this.#sessions.get(id);
    if (!entry) return;
    this.#sessions.delete(id);
    clearTimeout(entry.timer);
    await entry.live.agent.close();
    await entry.live.transport.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#sessions.keys()].map((id) => this.close(id)));
  }

  #arm(id: string): void {
    const entry = this.#sessions.get(id);
    if (!entry || entry.busy > 0) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      this.#onExpired(id);
      void this.close(id);
    }, this.#idleTimeoutMs);
    entry.timer.unref();
  }
}
