// Built-in values used when neither the config file, a flag nor an environment variable sets one
// (gateway.md §2.2, §2.3).

import type { GatewayLimits } from "./types.ts";

export const DEFAULT_STARTUP_TIMEOUT_S = 30;
export const DEFAULT_TOOL_TIMEOUT_S = 60;
/** The smallest tool timeout a JSON config may set (the reference's code, stricter than its schema). */
export const MIN_TOOL_TIMEOUT_S = 10;
export const DEFAULT_KEEPALIVE_INTERVAL_S = 1500;
export const DEFAULT_PAYLOAD_DIR = "/tmp/jq-payloads";
export const DEFAULT_PAYLOAD_SIZE_THRESHOLD = 524288;
export const DEFAULT_CONNECT_TIMEOUT_S = 30;
export const DEFAULT_RATE_LIMIT_THRESHOLD = 3;
export const DEFAULT_RATE_LIMIT_COOLDOWN_S = 60;
export const DEFAULT_OTEL_SERVICE_NAME = "mcp-gateway";

/** Defaults of the gateway's limits (flags only): far above what one CI job's agents use. */
export const DEFAULT_LIMITS: Readonly<GatewayLimits> = {
  maxAgentsPerServer: 32,
  maxMessageBytes: 16 * 1024 * 1024,
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 30_000,
};
