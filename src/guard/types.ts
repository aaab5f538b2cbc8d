// The public shapes of the guard host: what a caller passes with each call and gets back.
import type { LogLevel } from "../log/index.ts";
import type { GuardFunction } from "./abi.ts";

/** Answers a guard's call_backend: calls the backend tool and resolves with its result JSON. */
export type BackendCaller = (toolName: string, args: unknown, signal: AbortSignal) => Promise<unknown>;

/** Where host_log messages and guard stdout/stderr go; the gateway adapts its own logger. */
export interface GuardLogger {
  log(level: LogLevel, guard: string, message: string): void;
}

export interface GuardCallOptions {
  /** Answers call_backend; without one every call_backend gets −1. */
  backend?: BackendCaller;
  signal?: AbortSignal;
  /** Absolute deadline in Date.now() milliseconds; default now + the guard's default timeout. */
  deadline?: number;
  /** Where this call's guard log lines go; default the guard's logger (e.g. to tag a request). */
  logger?: GuardLogger;
}

export type DifcMode = "strict" | "filter" | "propagate";

export interface AgentLabels {
  secrecy: string[];
  integrity: string[];
  difcMode: DifcMode;
  normalizedPolicy?: Record<string, unknown>;
}

export type Operation = "read" | "write" | "read-write";

export interface ResourceLabels {
  description: string;
  secrecy: string[];
  integrity: string[];
  operation: Operation;
}

export interface PoolUsage {
  /** Instances the pool may hold. */
  size: number;
  /** Instances serving a call now. */
  busy: number;
  /** Calls waiting for a free instance. */
  waiting: number;
}

export type GuardHealth = "healthy" | "recovering" | "failed";

export interface GuardStatus {
  name: string;
  state: GuardHealth;
  calls: number;
  errors: number;
  /** Traps, timeouts and crashed workers since the guard was loaded. */
  failures: number;
  consecutiveFailures: number;
  recoveries: number;
  instances: number;
  /** A WASM guard's instance pool; built-in guards have none. */
  pool?: PoolUsage;
  lastError?: string;
  /** The function whose call failed with lastError: what may be shown where the guard's own text may not. */
  lastFailedFunction?: GuardFunction;
  closed: boolean;
}

/** What the enforcement pipeline calls; WASM guards and the built-in guards implement it. */
export interface Guard {
  readonly name: string;
  /** Sends the (already validated) policy; the result's tags are added to the agent's labels. */
  labelAgent(policy: unknown, options?: GuardCallOptions): Promise<AgentLabels>;
  labelResource(toolName: string, toolArgs: unknown, options?: GuardCallOptions): Promise<ResourceLabels>;
  /** The guard's output object, or null when it returned no bytes (no fine-grained labels). */
  labelResponse(toolName: string, toolResult: unknown, toolArgs: unknown, options?: GuardCallOptions): Promise<Record<string, unknown> | null>;
  status(): GuardStatus;
  /** Releases instances and workers; errors from every step are joined into one. Safe twice. */
  close(signal?: AbortSignal): Promise<void>;
}
