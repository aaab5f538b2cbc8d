// The typed configuration every other layer consumes. Both loaders (JSON on stdin with
// camelCase keys, TOML with snake_case keys) produce this one shape with defaults applied,
// so no layer below src/config knows which format a setting came from.

/** A guard policy as written in config: exactly one of the two forms, kept as parsed JSON. */
export type GuardPolicyConfig = { "allow-only": Record<string, unknown> } | { "write-sink": Record<string, unknown> };

export interface GuardConfig {
  /** "wasm" (needs `path`), "noop", or another registered guard type. */
  type: string;
  path?: string;
  config?: Record<string, unknown>;
  policy?: GuardPolicyConfig;
}

interface ServerConfigBase {
  id: string;
  /** Allow-list of backend tool names; undefined or containing "*" means every tool. */
  tools?: string[];
  /** Per-server tool timeout in seconds; overrides the gateway's. */
  toolTimeout?: number;
  guardPolicies?: GuardPolicyConfig;
  /** Name of an entry in `guards`. */
  guard?: string;
  /** TOML only: circuit breaker settings. */
  rateLimitThreshold: number;
  rateLimitCooldown: number;
  registry?: string;
  /** jq programs per tool name, applied to responses. */
  toolResponseFilters?: Record<string, string>;
}

/**
 * A stdio server: a local process speaking MCP on stdin/stdout. For a `container` server the
 * loader has already built the `docker run` command, so `command`/`args` are what to spawn.
 */
export interface StdioServerConfig extends ServerConfigBase {
  type: "stdio";
  command: string;
  args: string[];
  /** Environment for the spawned process, on top of the gateway's own. */
  env: Record<string, string>;
  /** The image, when the server was declared with `container` (JSON config). */
  container?: string;
  /** True when `command` runs outside a container; the gateway warns at startup. */
  unisolated: boolean;
  cwd?: string;
}

export interface HttpServerConfig extends ServerConfigBase {
  type: "http";
  url: string;
  headers: Record<string, string>;
  /** Seconds per transport attempt. */
  connectTimeout: number;
  auth?: { type: "github-oidc"; audience?: string };
}

export type ServerConfig = StdioServerConfig | HttpServerConfig;

export interface GatewaySettings {
  /** Metadata only: never used to listen (the --listen flag decides). Absent when a TOML file leaves it out. */
  port?: number;
  domain?: string;
  /** The value clients send verbatim in Authorization; generated at startup when absent. */
  agentId?: string;
  /** Seconds. */
  startupTimeout: number;
  /** Seconds. */
  toolTimeout: number;
  /** Seconds; -1 disables pings to HTTP backends. */
  keepaliveInterval: number;
  payloadDir: string;
  payloadPathPrefix?: string;
  /** Bytes. */
  payloadSizeThreshold: number;
  trustedBots?: string[];
  forcePublicRepos: boolean;
  sinkVisibilityExemptServers?: string[];
  /** Where the DIFC state lives when replicas share it (a flowgate extension); this process's memory when absent. */
  state?: { url: string };
  /** Tracing settings, validated and kept for the tracing layer (a later issue). */
  opentelemetry?: OpenTelemetryConfig;
}

export interface OpenTelemetryConfig {
  endpoint: string;
  traceId?: string;
  spanId?: string;
  serviceName: string;
  /** TOML only: `k=v,k2=v2` headers for the exporter. */
  headers?: string;
  /** TOML only. */
  sampleRate?: number;
  /** TOML only. */
  signalPath?: string;
}

export type GuardsMode = "strict" | "filter" | "propagate";

export interface GatewayConfig {
  gateway: GatewaySettings;
  /** In config order. */
  servers: ServerConfig[];
  guards: Record<string, GuardConfig>;
  /** TOML top-level `guards_mode`; flags and env override it. */
  guardsMode?: GuardsMode;
  sequentialLaunch: boolean;
  /** Problems that do not stop startup (deprecated keys, unknown ids); the gateway logs them. */
  warnings: string[];
}

/**
 * Settings of one `flowgate` (serve) run that come from flags and environment variables rather
 * than the config file, resolved with the reference's precedence (gateway.md §1.2, §1.4).
 */
export interface RuntimeOptions {
  /** "<path>" or "stdin", for the startup log lines. */
  configSource: string;
  listenHost: string;
  listenPort: number;
  mode: "routed" | "unified";
  logDir: string;
  /** --log-payloads: `all` logs payloads that may be secret whole, as the reference does; default `redacted`. */
  logPayloads?: "redacted" | "all";
  /** Count of -v flags. */
  verbosity: number;
  guardsMode: GuardsMode;
  /** Servers whose rpc-messages.jsonl records carry the agent's labels. */
  sinkServerIds: string[];
  /** --guard-policy-json and the allow-only flags/env: a policy applied to every server. */
  guardPolicyOverride?: GuardPolicyConfig;
  /** MCP_GATEWAY_WASM_GUARDS_DIR: per-server guard discovery. */
  wasmGuardsDir?: string;
  urlDomainAudit: boolean;
  /** Idle MCP sessions are closed after this long. */
  sessionTimeoutMs: number;
  /** Graceful HTTP drain on SIGINT/SIGTERM. */
  shutdownTimeoutMs: number;
  limits: GatewayLimits;
  /** --metrics-listen: where Prometheus metrics are served (GET /metrics); none when unset. */
  metricsListen?: { host: string; port: number };
}

/** Bounds on what one client can make the gateway hold (flags only; the reference has none). */
export interface GatewayLimits {
  /** Agents with a connection (for stdio servers, a process) to one server at once. */
  maxAgentsPerServer: number;
  /** Bytes of one JSON-RPC message: a request body, or one line a stdio backend writes. */
  maxMessageBytes: number;
  /** Milliseconds a client has to send a whole request, headers and body. */
  requestTimeoutMs: number;
  /** Milliseconds a client has to send a request's headers. */
  headersTimeoutMs: number;
}
