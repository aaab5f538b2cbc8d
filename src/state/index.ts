// Where the DIFC state lives, chosen at start-up: this process's memory (the default: one
// process needs nothing else), or a Redis/Valkey server that several replicas share
// ([gateway.state] url, --state-url). docs/scale-out.md explains the shared case.
import { InMemoryAgentStore, type AgentStore } from "../difc/index.ts";
import { displayedStateUrl, RedisAgentStore, type RedisStateHealth } from "./redis-store.ts";

export { displayedStateUrl, type RedisStateHealth } from "./redis-store.ts";

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

const STATE_URL_SCHEMES = ["redis:", "rediss:", "unix:"];

/** Why a state URL cannot be used, or undefined when it can. */
export function stateUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${displayedStateUrl(url)}" is not a URL: expected redis://host:port, rediss://host:port or unix:///path/to/redis.sock`;
  }
  if (!STATE_URL_SCHEMES.includes(parsed.protocol)) {
    return `unsupported scheme "${parsed.protocol}": expected redis://host:port, rediss://host:port or unix:///path/to/redis.sock`;
  }
  if (parsed.protocol === "unix:" && parsed.pathname === "") return "a unix:// URL needs the socket's path, e.g. unix:///run/redis/redis.sock";
  return undefined;
}

/** The store for `url`, connected; throws with the reason when the server cannot be reached. */
export async function openStateBackend(url: string | undefined): Promise<StateBackend> {
  if (url === undefined) {
    return { store: new InMemoryAgentStore(), health: () => undefined, close: () => Promise.resolve() };
  }
  const problem = stateUrlProblem(url);
  if (problem !== undefined) throw new Error(`invalid state store URL: ${problem}`);
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
