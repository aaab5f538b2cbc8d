import type { Backend } from "../../backends/index.ts";

/** The MCP Gateway Specification version /health reports, as the reference does. */
export const SPEC_VERSION = "1.14.0";

export interface HealthDocument {
  status: "healthy" | "unhealthy";
  specVersion: string;
  gatewayVersion: string;
  /** `error` and `guard` are flowgate additions: why the server failed, and what labels its traffic. */
  servers: Record<string, { status: string; uptime: number; error?: string; guard?: GuardHealthEntry }>;
  /** A flowgate addition, present when replicas share DIFC state: where it lives, and why calls needing it fail when they do. */
  state?: StateHealthEntry;
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
  state: string;
  calls: number;
  failures: number;
  recoveries: number;
  lastError?: string;
  /** Why the server runs with the noop guard instead of the guard its configuration names. */
  fallback?: string;
}

/** Unhealthy when any server is in `error` or the shared state is unavailable; the HTTP status is 200 either way. */
export function healthDocument(
  backends: Iterable<Backend>,
  gatewayVersion: string,
  guards: Readonly<Record<string, GuardHealthEntry>> = {},
  state?: StateHealthEntry,
): HealthDocument {
  const servers: HealthDocument["servers"] = {};
  let healthy = true;
  for (const backend of backends) {
    const guard = guards[backend.id];
    servers[backend.id] = {
      status: backend.status,
      uptime: backend.uptimeSeconds(),
      ...(backend.status === "error" && backend.lastError !== undefined ? { error: backend.failureText() } : {}),
      ...(guard ? { guard } : {}),
    };
    if (backend.status === "error") healthy = false;
  }
  if (state?.status === "unavailable") healthy = false;
  return { status: healthy ? "healthy" : "unhealthy", specVersion: SPEC_VERSION, gatewayVersion, servers, ...(state ? { state } : {}) };
}
