// The per-backend rate-limit circuit breaker (gateway.md §3.11). It sits nearest the backend,
// inside the enforcement middleware: a call DIFC refuses never reaches it, and it sees the raw
// backend result, before any response filtering.
import type { Result } from "@modelcontextprotocol/sdk/types.js";
import { detectRateLimit } from "../../backends/index.ts";
import type { ServerConfig } from "../../config/index.ts";
import type { GatewayLogger, LogLevel } from "../../log/index.ts";
import type { ForwardMiddleware } from "./forward.ts";
import { CodedError, rfc3339Seconds } from "../../shared/index.ts";

/** JSON-RPC code of a call the breaker refused (docs/compatibility.md, "circuit breaker"). */
export const RATE_LIMIT_CIRCUIT_OPEN = -32040;

export type BreakerState = "CLOSED" | "OPEN" | "HALF-OPEN";

/**
 * Where replicas sharing DIFC state tell each other that a backend's breaker opened (issue 18):
 * a replica that finds a server open on another replica opens its own until the same moment,
 * so a rate-limited upstream is left alone by every replica, not only the one that saw it.
 */
export interface BreakerBoard {
  /** Milliseconds since the epoch until which some replica holds `serverId`'s breaker open; 0 when none does. */
  openUntil(serverId: string): Promise<number>;
  /** Tells every replica that `serverId`'s breaker is open until `until`. */
  opened(serverId: string, until: number): Promise<void>;
}

export interface BreakerSettings {
  serverId: string;
  /** Consecutive rate-limited results that open the breaker. */
  threshold: number;
  /** How long an open breaker rejects calls at least, in milliseconds. */
  cooldownMs: number;
  /** Milliseconds since the epoch; injected so tests move time without waiting. */
  clock: () => number;
  log: (level: LogLevel, message: string) => void;
  /** Shared with other replicas; a board that cannot answer is treated as one that knows nothing. */
  board?: BreakerBoard;
}

/** A refused call: the breaker's text, and the server and seconds to wait for a client to act on. */
export class CircuitOpenError extends CodedError {
  readonly data: { server: string; retryAfterSeconds: number };
  constructor(message: string, server: string, retryAfterSeconds: number) {
    super(RATE_LIMIT_CIRCUIT_OPEN, message);
    this.data = { server, retryAfterSeconds };
  }
}

export class CircuitBreaker {
  readonly #settings: BreakerSettings;
  #state: BreakerState = "CLOSED";
  #consecutive = 0;
  #openedAt = 0;
  #resetAt: number | undefined;
  #probeInFlight = false;

  constructor(settings: BreakerSettings) {
    this.#settings = settings;
  }

  get state(): BreakerState {
    return this.#state;
  }

  /**
   * Runs `call` if the breaker lets it through, else throws a CircuitOpenError without calling
   * it. A result that reports a rate limit counts towards opening; any other result resets the
   * count; a thrown error (transport failure, cancellation) counts neither way.
   */
  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.#state === "CLOSED") await this.#adoptSharedOpening();
    const probe = this.#admit();
    let result: T;
    try {
      result = await call();
    } catch (error) {
      if (probe) this.#probeInFlight = false;
      throw error;
    }
    const wasOpen = this.#state === "OPEN";
    this.#record(result, probe);
    if (!wasOpen && this.#state === "OPEN") await this.#settings.board?.opened(this.#settings.serverId, this.#retryAt()).catch(() => undefined);
    return result;
  }

  /** Opens this breaker when another replica holds the server's open. */
  async #adoptSharedOpening(): Promise<void> {
    const { board, serverId, clock } = this.#settings;
    if (!board) return;
    const until = await board.openUntil(serverId).catch(() => 0);
    const now = clock();
    if (this.#state !== "CLOSED" || until <= now) return;
    // Open until exactly the shared moment, not a cooldown of this replica's own on top of it.
    this.#open(until - this.#settings.cooldownMs, until);
    this.#settings.log(
      "warn",
      `circuit breaker for server "${serverId}" OPENED: another replica opened it; resets at ${rfc3339Seconds(new Date(this.#retryAt()))}`,
    );
  }

  /** Whether the admitted call is the half-open probe; throws when the call is refused. */
  #admit(): boolean {
    if (this.#state === "CLOSED") return false;
    const now = this.#settings.clock();
    if (this.#state === "OPEN" && now >= this.#retryAt()) {
      this.#state = "HALF-OPEN";
      this.#settings.log("info", `circuit breaker for server "${this.#settings.serverId}" HALF-OPEN: letting one probe request through`);
    }
    if (this.#state === "HALF-OPEN" && !this.#probeInFlight) {
      this.#probeInFlight = true;
      return true;
    }
    throw this.#rejection(now);
  }

  #record(result: unknown, probe: boolean): void {
    const now = this.#settings.clock();
    const hit = detectRateLimit(result, now);
    const { serverId } = this.#settings;
    if (hit === null) {
      this.#consecutive = 0;
      if (probe) {
        this.#probeInFlight = false;
        this.#state = "CLOSED";
        this.#settings.log("info", `circuit breaker for server "${serverId}" CLOSED: probe request succeeded`);
      }
      return;
    }
    this.#consecutive += 1;
    if (probe) {
      this.#open(now, hit.resetAt);
      this.#settings.log(
        "warn",
        `circuit breaker for server "${serverId}" re-OPENED: probe request was rate-limited; resets at ${rfc3339Seconds(new Date(this.#retryAt()))}`,
      );
    } else if (this.#state === "CLOSED" && this.#consecutive >= this.#settings.threshold) {
      this.#open(now, hit.resetAt);
      this.#settings.log(
        "warn",
        `circuit breaker for server "${serverId}" OPENED after ${this.#consecutive} consecutive rate-limit errors; resets at ${rfc3339Seconds(new Date(this.#retryAt()))}`,
      );
    }
  }

  #open(now: number, resetAt: number | undefined): void {
    this.#state = "OPEN";
    this.#openedAt = now;
    this.#resetAt = resetAt;
    this.#probeInFlight = false;
  }

  /** The first moment an open breaker lets a probe through. */
  #retryAt(): number {
    return Math.max(this.#resetAt ?? 0, this.#openedAt + this.#settings.cooldownMs);
  }

  #rejection(now: number): CircuitOpenError {
    const { serverId } = this.#settings;
    const retryAfterSeconds = Math.max(0, Math.ceil((this.#retryAt() - now) / 1000));
    const prefix = `rate limit circuit breaker is ${this.#state} for server "${serverId}"`;
    if (this.#state === "HALF-OPEN") {
      return new CircuitOpenError(`${prefix} — a probe request is in flight, requests temporarily rejected`, serverId, retryAfterSeconds);
    }
    if (this.#resetAt !== undefined && this.#resetAt > now) {
      return new CircuitOpenError(
        `${prefix} — rate limit resets at ${rfc3339Seconds(new Date(this.#resetAt))} (retry after ${goDuration(retryAfterSeconds)})`,
        serverId,
        retryAfterSeconds,
      );
    }
    return new CircuitOpenError(`${prefix} — requests temporarily rejected`, serverId, retryAfterSeconds);
  }
}

/** One breaker per configured server, applied to tools/call; other methods pass untouched. */
export function circuitBreakerMiddleware(
  servers: readonly ServerConfig[],
  logger: GatewayLogger,
  clock: () => number = Date.now,
  board?: BreakerBoard,
): ForwardMiddleware {
  const breakers = new Map(
    servers.map((server) => [
      server.id,
      new CircuitBreaker({
        serverId: server.id,
        threshold: server.rateLimitThreshold,
        cooldownMs: server.rateLimitCooldown * 1000,
        clock,
        log: (level, message) => logger.log(level, "backend", message),
        ...(board ? { board } : {}),
      }),
    ]),
  );
  return (next) => (request) => {
    const breaker = request.method === "tools/call" ? breakers.get(request.serverId) : undefined;
    return breaker ? breaker.run<Result>(() => next(request)) : next(request);
  };
}

/** Whole seconds as Go prints a time.Duration ("45s", "1m30s", "1h0m5s"), as the reference's text does. */
function goDuration(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
