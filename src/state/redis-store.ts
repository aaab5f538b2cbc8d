// The DIFC state in Redis (or Valkey), shared by every replica that names the same server.
// Each AgentStore method is one Lua script, so it runs as one atomic step on the server: no
// replica ever reads, modifies and writes back. Labels are grow-only sets: secrecy tags, the
// integrity tags ever granted, and the integrity tags ever dropped by a read (the integrity in
// force is granted minus dropped). Adding to a set commutes, so concurrent updates from any
// replicas land in any order with one result. Nothing is cached here: every decision reads the
// labels the server holds, which include every write any replica had acknowledged.
import { randomBytes } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import { label, StateUnavailableError, toolCallLimitText, type AgentLabels, type AgentStore } from "../difc/index.ts";
import { errorText, urlWithoutSecrets } from "../shared/index.ts";

/** How long one command may take before the call that needed it fails closed. */
const COMMAND_TIMEOUT_MS = 1000;
const CONNECT_TIMEOUT_MS = 1000;
/**
 * How long a replica trusts what it last read of a breaker: breakers are not DIFC state, and
 * reading the board on every call would put a second round trip in every tools/call. Another
 * replica's opening is seen within this time.
 */
const BREAKER_READ_TTL_MS = 1000;
/** Reconnection attempts back off to this, and go on for as long as the process runs. */
const MAX_RECONNECT_DELAY_MS = 500;

// Every script first checks that the server still holds the digest key this replica started
// with: a server that lost its data (restarted without persistence, flushed, replaced) would
// otherwise answer with empty labels, and an agent's taint would be gone. It then refuses.
const STATE_LOST =
  "FLOWGATE_STATE_LOST the state store no longer holds the state this replica started with (its data was lost or replaced); restart every replica once its persistence is checked";
const SAME_STATE = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('${STATE_LOST}')
end`;

const LABELS_REPLY = `return {redis.call('SMEMBERS', KEYS[3]), redis.call('SDIFF', KEYS[4], KEYS[5])}`;

/** KEYS: digest key, agents, secrecy, integrity, dropped. ARGV: the digest key's value, agent id. */
const READ_LABELS = `${SAME_STATE}
redis.call('SADD', KEYS[2], ARGV[2])
${LABELS_REPLY}`;

/** KEYS as READ_LABELS. ARGV: the digest key's value. The number of secrecy tags; the agent is not created. */
const SECRECY_COUNT = `${SAME_STATE}
return redis.call('SCARD', KEYS[3])`;

/** KEYS as READ_LABELS. ARGV: the digest key's value, agent id, the count of secrecy tags, the secrecy tags, the integrity tags. */
const ADD_LABELS = `${SAME_STATE}
redis.call('SADD', KEYS[2], ARGV[2])
local secrecyEnd = 3 + tonumber(ARGV[3])
for i = 4, secrecyEnd do redis.call('SADD', KEYS[3], ARGV[i]) end
for i = secrecyEnd + 1, #ARGV do redis.call('SADD', KEYS[4], ARGV[i]) end
${LABELS_REPLY}`;

/** As ADD_LABELS, but integrity tags the read does not carry are dropped, for good. */
const ACCUMULATE_READ = `${SAME_STATE}
redis.call('SADD', KEYS[2], ARGV[2])
local secrecyEnd = 3 + tonumber(ARGV[3])
for i = 4, secrecyEnd do redis.call('SADD', KEYS[3], ARGV[i]) end
local carried = {}
for i = secrecyEnd + 1, #ARGV do carried[ARGV[i]] = true end
for _, tag in ipairs(redis.call('SDIFF', KEYS[4], KEYS[5])) do
  if not carried[tag] then redis.call('SADD', KEYS[5], tag) end
end
${LABELS_REPLY}`;

/**
 * KEYS: digest key, the agent's budget hash. ARGV: the digest key's value, server and tool, the
 * limit. 1 when a call was spent, 0 when none is left.
 */
const SPEND_CALL = `${SAME_STATE}
local used = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if used >= tonumber(ARGV[3]) then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
return 1`;

/** KEYS: the server's breaker key. ARGV: the moment it is open until; the later moment wins. */
const BREAKER_OPENED = `if tonumber(ARGV[1]) > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], ARGV[1]) end
return 1`;

/** The first replica's random key wins; every later one reads it. */
const DIGEST_KEY = `redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])`;

type LabelsReply = [string[], string[]];

type LabelKeys = [digestKey: string, agents: string, secrecy: string, integrity: string, dropped: string];

interface StateScripts {
  flowgateReadLabels(...keysAndArgs: [...LabelKeys, string, string]): Promise<LabelsReply>;
  flowgateSecrecyCount(...keysAndArgs: [...LabelKeys, string]): Promise<number>;
  flowgateAddLabels(...keysAndArgs: [...LabelKeys, ...string[]]): Promise<LabelsReply>;
  flowgateAccumulateRead(...keysAndArgs: [...LabelKeys, ...string[]]): Promise<LabelsReply>;
  flowgateSpendCall(digestKey: string, budget: string, keyValue: string, field: string, limit: string): Promise<number>;
  flowgateDigestKey(key: string, candidate: string): Promise<string>;
  flowgateBreakerOpened(breaker: string, until: string): Promise<number>;
}

export interface RedisStateHealth {
  backend: "redis";
  status: "ok" | "unavailable";
  /** Why calls that need DIFC state are refused. */
  error?: string;
  /** Set when the server may lose acknowledged label updates if it restarts. */
  warning?: string;
}

function connectionOptions(url: string): RedisOptions {
  const shared: RedisOptions = {
    lazyConnect: true,
    // A call never waits for a connection that may not come back: it fails closed at once.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt: number) => Math.min(attempt * 50, MAX_RECONNECT_DELAY_MS),
    // Ordinary commands issued in the same turn share one write to the socket.
    enableAutoPipelining: true,
  };
  if (url.startsWith("unix://")) return { ...shared, path: decodeURIComponent(new URL(url).pathname) };
  return shared;
}

export class RedisAgentStore implements AgentStore {
  readonly #redis: Redis & StateScripts;
  readonly #url: string;
  readonly #prefix: string;
  /** The digest key as the server held it at start-up: each script checks it is still there. */
  #keyValue = "";
  #error: string | undefined;
  #warning: string | undefined;
  /** What was last read of each server's breaker, and when (performance.now()). */
  readonly #breakers = new Map<string, { until: number; readAt: number }>();

  private constructor(redis: Redis, url: string, prefix: string) {
    this.#redis = redis as Redis & StateScripts;
    this.#url = urlWithoutSecrets(url);
    this.#prefix = prefix;
    redis.on("ready", () => {
      this.#error = undefined;
      // /health tells of a server that came back without its data before any call meets it.
      if (this.#keyValue !== "") {
        this.#redis.get(this.#digestKeyName()).then(
          (value) => value !== this.#keyValue && (this.#error = STATE_LOST),
          () => undefined,
        );
      }
    });
    redis.on("error", (error: Error) => (this.#error = withoutAddress(error.message)));
    redis.on("close", () => (this.#error ??= "the connection to the state store was lost"));
  }

  /**
   * Connects (start-up needs the server: the digest key that names agents comes from it) and
   * returns the store with the key every replica shares.
   */
  static async open(url: string, prefix = "flowgate:"): Promise<{ store: RedisAgentStore; digestKey: Buffer }> {
    const options = connectionOptions(url);
    const redis = url.startsWith("unix://") ? new Redis(options) : new Redis(url, options);
    redis.defineCommand("flowgateReadLabels", { numberOfKeys: 5, lua: READ_LABELS });
    redis.defineCommand("flowgateSecrecyCount", { numberOfKeys: 5, lua: SECRECY_COUNT });
    redis.defineCommand("flowgateAddLabels", { numberOfKeys: 5, lua: ADD_LABELS });
    redis.defineCommand("flowgateAccumulateRead", { numberOfKeys: 5, lua: ACCUMULATE_READ });
    redis.defineCommand("flowgateSpendCall", { numberOfKeys: 2, lua: SPEND_CALL });
    redis.defineCommand("flowgateDigestKey", { numberOfKeys: 1, lua: DIGEST_KEY });
    redis.defineCommand("flowgateBreakerOpened", { numberOfKeys: 1, lua: BREAKER_OPENED });
    const store = new RedisAgentStore(redis, url, prefix);
    try {
      await redis.connect();
      const hex = await store.#redis.flowgateDigestKey(store.#digestKeyName(), randomBytes(32).toString("hex"));
      store.#keyValue = hex;
      store.#warning = await persistenceWarning(redis);
      return { store, digestKey: Buffer.from(hex, "hex") };
    } catch (error) {
      redis.disconnect();
      throw new Error(`cannot reach the state store at ${store.#url}: ${errorText(error)}`, { cause: error });
    }
  }

  /** The server's URL as it may be shown: without a password. Not in health(): /health answers anyone. */
  get url(): string {
    return this.#url;
  }

  health(): RedisStateHealth {
    return {
      backend: "redis",
      status: this.#error === undefined ? "ok" : "unavailable",
      ...(this.#error !== undefined ? { error: this.#error } : {}),
      ...(this.#warning !== undefined ? { warning: this.#warning } : {}),
    };
  }

  getOrCreate(agentId: string): Promise<AgentLabels> {
    return this.#labels(() => this.#redis.flowgateReadLabels(...this.#labelKeys(agentId), this.#keyValue, agentId));
  }

  addLabels(agentId: string, added: AgentLabels): Promise<AgentLabels> {
    return this.#labels(() => this.#redis.flowgateAddLabels(...this.#labelKeys(agentId), this.#keyValue, ...labelArgs(agentId, added)));
  }

  accumulateFromRead(agentId: string, read: AgentLabels): Promise<AgentLabels> {
    return this.#labels(() => this.#redis.flowgateAccumulateRead(...this.#labelKeys(agentId), this.#keyValue, ...labelArgs(agentId, read)));
  }

  async spendToolCall(agentId: string, serverId: string, limits: ReadonlyMap<string, number>, toolName: string): Promise<string | null> {
    const limit = limits.get(toolName) ?? 0;
    if (limit === 0) return null;
    const field = JSON.stringify([serverId, toolName]);
    const spent = await this.#answer(() =>
      this.#redis.flowgateSpendCall(this.#digestKeyName(), `${this.#prefix}budget:${agentId}`, this.#keyValue, field, String(limit)),
    );
    return spent === 1 ? null : toolCallLimitText(toolName, limit);
  }

  async toolCallsSpent(agentId: string): Promise<ReadonlyMap<string, ReadonlyMap<string, number>>> {
    const fields = await this.#answer(() => this.#redis.hgetall(`${this.#prefix}budget:${agentId}`));
    const spent = new Map<string, Map<string, number>>();
    for (const [field, count] of Object.entries(fields)) {
      const [serverId, toolName] = JSON.parse(field) as [string, string];
      let counts = spent.get(serverId);
      if (!counts) spent.set(serverId, (counts = new Map()));
      counts.set(toolName, Number(count));
    }
    return spent;
  }

  holdsSecrecy(agentId: string): Promise<boolean> {
    return this.#answer(async () => (await this.#redis.flowgateSecrecyCount(...this.#labelKeys(agentId), this.#keyValue)) > 0);
  }

  count(): Promise<number> {
    return this.#answer(() => this.#redis.scard(`${this.#prefix}agents`));
  }

  async entries(): Promise<ReadonlyMap<string, AgentLabels>> {
    return this.#answer(async () => {
      const ids = (await this.#redis.smembers(`${this.#prefix}agents`)).sort();
      const replies = await Promise.all(ids.map((id) => this.#redis.flowgateReadLabels(...this.#labelKeys(id), this.#keyValue, id)));
      return new Map(ids.map((id, i) => [id, labelsOf(replies[i]!)]));
    });
  }

  /**
   * Circuit breakers are not DIFC state: a breaker that cannot reach the board goes on with what
   * its replica saw (the callers treat a rejection as "nothing shared"), so these do not touch
   * the health the fail-closed calls report.
   */
  async breakerOpenUntil(serverId: string): Promise<number> {
    const known = this.#breakers.get(serverId);
    if (known && performance.now() - known.readAt < BREAKER_READ_TTL_MS) return known.until;
    const until = Number((await this.#redis.get(this.#breakerKey(serverId))) ?? 0);
    this.#breakers.set(serverId, { until, readAt: performance.now() });
    return until;
  }

  async breakerOpened(serverId: string, until: number): Promise<void> {
    await this.#redis.flowgateBreakerOpened(this.#breakerKey(serverId), String(until));
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  #breakerKey(serverId: string): string {
    return `${this.#prefix}breaker:${serverId}`;
  }

  #digestKeyName(): string {
    return `${this.#prefix}digest-key`;
  }

  #labelKeys(agentId: string): LabelKeys {
    const agent = `${this.#prefix}agent:${agentId}:`;
    return [this.#digestKeyName(), `${this.#prefix}agents`, `${agent}secrecy`, `${agent}integrity`, `${agent}integrity-dropped`];
  }

  async #labels(command: () => Promise<LabelsReply>): Promise<AgentLabels> {
    return labelsOf(await this.#answer(command));
  }

  /** One exchange with the server; any failure becomes the fail-closed error callers turn into a JSON-RPC error. */
  async #answer<T>(command: () => Promise<T>): Promise<T> {
    try {
      const reply = await command();
      this.#error = undefined;
      return reply;
    } catch (error) {
      this.#error = withoutAddress(errorText(error));
      throw new StateUnavailableError(
        `the shared DIFC state store did not answer (${this.#error}): the call was refused rather than decided on labels flowgate could not read; it succeeds again once the state store is back`,
        { cause: error },
      );
    }
  }
}

/**
 * Label updates are acknowledged once the server has them in memory; only an append-only file
 * fsynced on every write keeps each acknowledged one across a crash. Undefined when it is so, or
 * when the server does not let us ask (CONFIG is often disabled on managed services).
 */
async function persistenceWarning(redis: Redis): Promise<string | undefined> {
  let settings: string[];
  try {
    settings = [...((await redis.config("GET", "appendonly")) as string[]), ...((await redis.config("GET", "appendfsync")) as string[])];
  } catch {
    return undefined;
  }
  const value = (name: string) => settings[settings.indexOf(name) + 1];
  if (value("appendonly") === "yes" && value("appendfsync") === "always") return undefined;
  return `the state store runs with appendonly ${value("appendonly")}, appendfsync ${value("appendfsync")}: label updates it acknowledged may be lost if it restarts; set appendonly yes and appendfsync always (docs/scale-out.md)`;
}

/**
 * A socket error without the address it names ("connect ECONNREFUSED 10.0.0.5:6379" becomes
 * "connect ECONNREFUSED"): /health answers anyone, and agents see these reasons too.
 */
function withoutAddress(message: string): string {
  return message.replace(/\b(connect|getaddrinfo|read|write) (E[A-Z]+)\b.*/, "$1 $2");
}

function labelArgs(agentId: string, labels: AgentLabels): string[] {
  return [agentId, String(labels.secrecy.size), ...labels.secrecy, ...labels.integrity];
}

function labelsOf([secrecy, integrity]: LabelsReply): AgentLabels {
  return { secrecy: label(secrecy), integrity: label(integrity) };
}
