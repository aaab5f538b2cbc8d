import type { Backend } from "../../backends/index.ts";
import { rfc3339Seconds } from "../../shared/index.ts";

/** The MCP Gateway Specification version /health reports, as the reference does. */
export const SPEC_VERSION = "1.14.0";

/**
 * The reference's /health document and flowgate's additions, each under a key the reference does
 * not use (docs/compatibility.md). /health needs no credential, so nothing here names an agent or
 * holds a secret: failure reasons are redacted as the log files have them.
 */
export interface HealthDocument {
  status: "healthy" | "unhealthy";
  specVersion: string;
  gatewayVersion: string;
  servers: Record<string, ServerHealthEntry>;
  /** A flowgate addition: whole seconds since the gateway started listening. */
  uptime: number;
  /** A flowgate addition, present when replicas share DIFC state: where it lives, and why calls needing it fail when they do. */
  state?: StateHealthEntry;
}

/** `status` and `uptime` are the reference's; every other key is a flowgate addition. */
export interface ServerHealthEntry {
  status: string;
  uptime: number;
  /** Why the server is in `error` now. */
  error?: string;
  /** The tools agents may call on it, as its last discovery found them (after the allow-list). */
  tools: number;
  /** Its latest failure (RFC 3339, seconds) and why, kept after it runs again so a flapping server shows. */
  lastFailure?: { at: string; reason: string };
  /** The periodic health check's relaunches of it: in all, failed since it last ran, and whether it stopped trying. */
  healthCheck: { relaunches: number; failedInARow: number; gaveUp: boolean };
  /** What labels its traffic. */
  guard?: GuardHealthEntry;
}

/** The shared DIFC state store as /health shows it. */
export interface StateHealthEntry {
  backend: string;
  status: "ok" | "unavailable";
  error?: string;
  /** Why acknowledged label updates could be lost if the store restarts. */
  warning?: string;
}

/** A server's guard as /health shows it (a flowgate addition: the reference shows no guards). */
export interface GuardHealthEntry {
  name: string;
  /** `failed` after repeated traps, timeouts or crashes in a row; `recovering` while the guard backs off before that. */
  state: string;
  calls: number;
  errors: number;
  failures: number;
  consecutiveFailures: number;
  recoveries: number;
  /** Guard instances (workers) started. */
  instances: number;
  /** A WASM guard's instance pool: its size, instances serving a call now, calls waiting for one. */
  pool?: { size: number; busy: number; waiting: number };
  /** Which guard function failed last; never the guard's own text, which may quote the call's arguments. */
  lastError?: string;
  /** The guard's own record of which function failed last: shown only through lastError. */
  lastFailedFunction?: string;
  closed: boolean;
  /** Why the server runs with the noop guard instead of the guard its configuration names. */
  fallback?: string;
}

export interface HealthInputs {
  backends: Iterable<Backend>;
  gatewayVersion: string;
  /** Milliseconds since the epoch when the gateway started listening. */
  startedAt: number;
  guards?: Readonly<Record<string, GuardHealthEntry>>;
  state?: StateHealthEntry | undefined;
  now?: number;
}

/** Unhealthy when any server is in `error` or the shared state is unavailable; the HTTP status is 200 either way. */
export function healthDocument({ backends, gatewayVersion, startedAt, guards = {}, state, now = Date.now() }: HealthInputs): HealthDocument {
  const servers: HealthDocument["servers"] = {};
  let healthy = true;
  for (const backend of backends) {
    const guard = guards[backend.id];
    const lastFailure = backend.lastFailure();
    servers[backend.id] = {
      status: backend.status,
      uptime: backend.uptimeSeconds(now),
      ...(backend.status === "error" && backend.lastError !== undefined ? { error: backend.failureText() } : {}),
      tools: backend.tools.length,
      ...(lastFailure ? { lastFailure: { at: rfc3339Seconds(new Date(lastFailure.at)), reason: lastFailure.reason } } : {}),
      healthCheck: { ...backend.healthCheck },
      ...(guard ? { guard: withoutGuardText(guard) } : {}),
    };
    if (backend.status === "error") healthy = false;
  }
  if (state?.status === "unavailable") healthy = false;
  return {
    status: healthy ? "healthy" : "unhealthy",
    specVersion: SPEC_VERSION,
    gatewayVersion,
    servers,
    uptime: Math.max(0, Math.floor((now - startedAt) / 1000)),
    ...(state ? { state } : {}),
  };
}

/**
 * /health is served without the credential, and a guard's error text is the guard's to write: it
 * may quote the tool's arguments (a path, a repository name) an agent sent, or what it read. Only
 * the failed function is shown; the agent whose call failed got the text in its error.
 */
function withoutGuardText({ lastFailedFunction, ...guard }: GuardHealthEntry): GuardHealthEntry {
  if (guard.lastError === undefined) return guard;
  const failed = lastFailedFunction ?? "a guard call";
  return { ...guard, lastError: `${failed} failed (the guard's message is not shown here: it may quote the call's arguments)` };
}
