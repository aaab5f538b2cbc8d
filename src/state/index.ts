// Where the DIFC state lives, chosen at start-up: this process's memory (the default: one
// process needs nothing else), or a Redis/Valkey server that several replicas share
// ([gateway.state] url, --state-url). docs/scale-out.md explains the shared case.
import { InMemoryAgentStore, type AgentStore } from "../difc/index.ts";
import type { RedisStateHealth } from "./redis-store.ts";
import { stateUrlProblem } from "./state-url.ts";

export type { RedisStateHealth } from "./redis-store.ts";
export { stateUrlProblem } from "./state-url.ts";

export interface StateBackend {
  store: AgentStore;
  /**
   * The key agent ids are digested under when replicas share state: all of them must name one
   * credential alike. Absent for the in-memory store, whose process picks its own.
   */
  digestKey?: Buffer;
  /** Where replicas tell each other a backend's circuit breaker opened; absent for the in-memory store. */
  breakerBoard?: {
    openUntil(serverId: string): Promise<number>;
    opened(serverId: string, until: number): Promise<void>;
  };
  /** The shared store's URL without a password, for start-up lines; absent for the in-memory store. */
  url?: string;
  /** What /health shows of the shared state; absent for the in-memory store. */
  health(): RedisStateHealth | undefined;
  close(): Promise<void>;
}

/** The store for `url`, connected; throws with the reason when the server cannot be reached. */
export async function openStateBackend(url: string | undefined): Promise<StateBackend> {
  if (url === undefined) {
    return { store: new InMemoryAgentStore(), health: () => undefined, close: () => Promise.resolve() };
  }
  const problem = stateUrlProblem(url);
  if (problem !== undefined) throw new Error(`invalid state store URL: ${problem}`);
  // Loaded only here: the Redis client costs every start about 40 ms, and most never use it.
  const { RedisAgentStore } = await import("./redis-store.ts");
  const { store, digestKey } = await RedisAgentStore.open(url);
  return {
    store,
    digestKey,
    url: store.url,
    breakerBoard: { openUntil: (serverId) => store.breakerOpenUntil(serverId), opened: (serverId, until) => store.breakerOpened(serverId, until) },
    health: () => store.health(),
    close: () => store.close(),
  };
}
