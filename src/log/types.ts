// The logging interface the gateway writes through. src/log implements it with the
// reference's files (mcp-gateway.log, <serverID>.log, gateway.md, rpc-messages.jsonl,
// tools.json); tests and embedders can pass their own.

export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * One gateway↔backend JSON-RPC exchange step, written to rpc-messages.jsonl (rpc-message/v2).
 * `payload` is either the whole JSON-RPC message (an object with `jsonrpc`, as sent or received)
 * or only its `params` (request) / `result` (response); JSON text is accepted too. A response with
 * no payload (a transport `error` and nothing received) is logged as `{"_error":"invalid JSON",…}`.
 * `agentSecrecy`/`agentIntegrity` are written when non-empty; the reference sends them only for
 * servers in `--guards-sink-server-ids`, during `tools/call`.
 * `sensitive`, decided by enforcement, marks a payload that may carry secret data: unless the
 * logger logs all payloads, it is written as `{"redacted":"secrecy","bytes":N,"sha256":"…"}`.
 */
export type RpcLogRecord =
  | { event: "rpc_request"; serverId: string; method: string; payload: unknown; agentSecrecy?: string[]; agentIntegrity?: string[]; sensitive?: boolean }
  | {
      event: "rpc_response";
      serverId: string;
      payload: unknown;
      error?: string;
      /** The request id, when `payload` is a bare result; defaults to 1 as in the reference. */
      id?: string | number;
      agentSecrecy?: string[];
      agentIntegrity?: string[];
      sensitive?: boolean;
    };

/** Whether sensitive RPC payloads reach the log files whole (`all`, the reference's logging) or as a hash. */
export type LogPayloads = "redacted" | "all";

/** One item removed from a response by DIFC filtering (difc-filtered/v2). */
export interface DifcFilteredRecord {
  serverId: string;
  toolName: string;
  description: string;
  reason: string;
  secrecyTags: string[];
  integrityTags: string[];
  authorAssociation?: string;
  authorLogin?: string;
  htmlUrl?: string;
  number?: string;
  sha?: string;
}

export interface GatewayLogger {
  /** A line in mcp-gateway.log; `markdown` also records it in gateway.md. */
  log(level: LogLevel, category: string, message: string, options?: { markdown?: boolean }): void;
  /** A line in <serverID>.log, mirrored into mcp-gateway.log as "[<serverID>] <message>". */
  server(serverId: string, level: LogLevel, category: string, message: string): void;
  rpc(record: RpcLogRecord): void;
  difcFiltered(record: DifcFilteredRecord): void;
  /**
   * The proxy forwarded a read that matches no route, without labels: a JSONL event and a WARN
   * `[UNRECOGNIZED-ENDPOINT]` line (with gateway.md). Optional: only the proxy calls it.
   */
  unrecognizedEndpoint?(method: string, path: string): void;
  /** Replaces this server's entry in tools.json: its allow-listed tools, unprefixed names, original descriptions. */
  tools(serverId: string, tools: ReadonlyArray<{ name: string; description?: string }>): void;
  /**
   * Adds URL domains to observed-url-domains.json under `key` (a server id, or "write-sink").
   * Optional: only called with --url-domain-audit, and simple test loggers can omit it.
   */
  observedUrlDomains?(key: string, domains: readonly string[]): void;
  /**
   * A namespace debug message (`server:unified`, `launcher:pool`): written to stderr and, as a DEBUG
   * line with the namespace as category, to mcp-gateway.log, only when `DEBUG` enables the
   * namespace. A function message is called only then, so costly messages cost nothing otherwise.
   */
  debug?(namespace: string, message: string | (() => string)): void;
  /**
   * Registers a value that must never appear in any log (the agent id, configured header values):
   * it is replaced by [REDACTED] wherever it occurs. Optional so simple test loggers can omit it.
   */
  addSecret?(value: string): void;
  /** Flushes and closes every file; safe to call twice. */
  close(): Promise<void>;
}
