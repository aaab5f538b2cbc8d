import type { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Implementation, ServerCapabilities, Tool } from "@modelcontextprotocol/sdk/types.js";
import { DEFAULT_LIMITS, type ServerConfig } from "../config/index.ts";
import { isSecretKey, Sanitizer, type GatewayLogger } from "../log/index.ts";
import { AdoptedProcessTransport } from "./adopted-transport.ts";
import { toolAllowed } from "./allow-list.ts";
import { restartDelayMs } from "./backoff.ts";
import type { ClientSide } from "./client-side.ts";
import { openConnection, type BackendConnection } from "./connection.ts";
import type { EarlyProcess } from "./early-process.ts";
import { collectPages } from "./paginate.ts";
import { stdioTransport } from "./stdio-transport.ts";
import { errorText, quietObserver, type BackendEvent, type Observer } from "../shared/index.ts";

export type BackendStatus = "stopped" | "running" | "error";

export interface BackendOptions {
  clientInfo: Implementation;
  logger: GatewayLogger;
  /** Gateway-wide settings in seconds; a server's own toolTimeout wins. */
  startupTimeout: number;
  toolTimeout: number;
  keepaliveInterval: number;
  /** Bytes of the longest message read from a stdio server (--max-message-size); its default unless given. */
  maxMessageBytes?: number;
  /** Writes one line to the gateway's stderr. */
  stderrLine?: (line: string) => void;
  /** Whether tools/call requests may go outside the SDK's Protocol (src/backends/direct-requests.ts); off when not given. */
  directToolCalls?: boolean;
  /** Where launches, crashes, restarts and failed launches are reported (metrics, traces); by default nowhere. */
  observer?: Observer;
}

/**
 * One configured MCP server: its launch settings, what discovery learned about it, and the state
 * /health reports. Connections are opened per agent session (see BackendSession); this object
 * counts their failures so relaunches back off.
 */
export class Backend {
  readonly config: ServerConfig;
  readonly options: BackendOptions;
  status: BackendStatus = "stopped";
  lastError: string | undefined;
  /** Set by discovery: the backend's identity, capabilities and allowed tools. */
  serverInfo: Implementation | undefined;
  capabilities: ServerCapabilities | undefined;
  instructions: string | undefined;
  tools: Tool[] = [];
  /**
   * What the periodic health check (src/gateway/health-monitor.ts) did with this server, kept here
   * for /health: relaunches it tried in all, how many failed since the server last ran, and
   * whether it stopped trying (an agent's call still relaunches the server).
   */
  readonly healthCheck = { relaunches: 0, failedInARow: 0, gaveUp: false };
  #firstStartedAt: number | undefined;
  /** The latest failure, kept after the server runs again so /health can say it flapped. */
  #lastFailure: { at: number; reason: string } | undefined;
  #consecutiveFailures = 0;
  #lastFailureAt = 0;
  /** Connections launched for agent sessions and not closed yet. */
  #openSessionConnections = 0;
  /** A stdio server's process spawned ahead of the next agent session's first call. */
  #spare: StdioClientTransport | undefined;
  /** The process spawned before the gateway loaded (see EarlyProcess), for startup discovery. */
  #early: EarlyProcess | undefined;
  #closed = false;

  /** `early` is this stdio server's process spawned ahead of the gateway; discovery adopts it. */
  constructor(config: ServerConfig, options: BackendOptions, early?: EarlyProcess) {
    this.config = config;
    this.options = options;
    this.#early = early;
  }

  get id(): string {
    return this.config.id;
  }

  get maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? DEFAULT_LIMITS.maxMessageBytes;
  }

  get toolTimeoutMs(): number {
    return (this.config.toolTimeout ?? this.options.toolTimeout) * 1000;
  }

  /** Seconds since the first successful launch, for /health. */
  uptimeSeconds(now = Date.now()): number {
    return this.#firstStartedAt === undefined ? 0 : Math.floor((now - this.#firstStartedAt) / 1000);
  }

  /**
   * The last failure as stderr and the unauthenticated /health show it: secret-shaped text and
   * this server's configured header values and secret-named environment values redacted, as the
   * log files have them.
   */
  failureText(): string | undefined {
    return this.lastError === undefined ? undefined : this.#redacted(this.lastError);
  }

  /** When the server last failed and why (redacted as failureText), even if it runs again since; undefined if it never failed. */
  lastFailure(): { at: number; reason: string } | undefined {
    return this.#lastFailure && { at: this.#lastFailure.at, reason: this.#redacted(this.#lastFailure.reason) };
  }

  #redacted(text: string): string {
    const sanitizer = new Sanitizer();
    const configured =
      this.config.type === "http"
        ? Object.values(this.config.headers)
        : Object.entries(this.config.env)
            .filter(([key]) => isSecretKey(key))
            .map(([, value]) => value);
    for (const value of configured) sanitizer.addSecret(value);
    return sanitizer.text(text);
  }

  /** Milliseconds until the backoff after the last failures allows a relaunch (0: now). */
  relaunchBlockedForMs(now = Date.now()): number {
    return Math.max(0, this.#lastFailureAt + restartDelayMs(this.#consecutiveFailures) - now);
  }

  /** Opens a connection, recording success or failure for /health and backoff. */
  async launch(clientSide?: ClientSide): Promise<BackendConnection> {
    const spare = clientSide ? this.#takeSpare() : undefined;
    const nextNeedsSpare = clientSide !== undefined && this.#openSessionConnections >= 1;
    const early = clientSide ? undefined : this.#early;
    if (early) this.#early = undefined;
    try {
      const prestarted = early ? await this.#adopt(early) : spare;
      const connection = await openConnection(this.config, {
        clientInfo: this.options.clientInfo,
        logger: this.options.logger,
        startupTimeoutMs: this.options.startupTimeout * 1000,
        keepaliveMs: this.options.keepaliveInterval * 1000,
        maxMessageBytes: this.maxMessageBytes,
        ...(clientSide ? { clientSide } : {}),
        ...(this.options.stderrLine ? { stderrLine: this.options.stderrLine } : {}),
        ...(prestarted ? { prestarted } : {}),
        ...(this.options.directToolCalls ? { directToolCalls: true } : {}),
      });
      this.#report(this.status === "error" ? "restarted" : "launched");
      this.markRunning();
      if (clientSide) {
        this.#openSessionConnections++;
        void connection.closed.then(() => this.#openSessionConnections--);
      }
      // Only now: the process this call waits for is spawned before the one kept for later.
      if (nextNeedsSpare) this.#startSpare();
      return connection;
    } catch (error) {
      this.markFailed(`launch failed: ${errorText(error)}`);
      throw error;
    }
  }

  /** The early process as a transport, once it runs; its spawn error (e.g. a missing command) otherwise. */
  async #adopt(early: EarlyProcess): Promise<AdoptedProcessTransport> {
    await early.spawned;
    return new AdoptedProcessTransport(early, this.options.logger, this.options.stderrLine ?? (() => undefined), this.maxMessageBytes);
  }

  /**
   * The spare process for a new connection, if one is up. Spawning a stdio server takes most of a
   * first call (about a second for a Node server), so when a connection is launched while another
   * one is open (a second agent, or an agent's sessions with other capabilities), the next one's
   * process is started ahead of time, once this one is up. A gateway serving one agent thus never
   * keeps an idle process, even when the agent reconnects; a busy one keeps one per server.
   */
  #takeSpare(): StdioClientTransport | undefined {
    if (this.config.type !== "stdio" || this.#closed) return undefined;
    const spare = this.#spare;
    this.#spare = undefined;
    if (spare?.pid === null) {
      void spare.close();
      return undefined;
    }
    return spare;
  }

  #startSpare(): void {
    if (this.config.type !== "stdio" || this.#closed || this.#spare) return;
    const transport = stdioTransport(this.config, this.options.logger, this.options.stderrLine ?? (() => undefined), this.maxMessageBytes);
    this.#spare = transport;
    const drop = () => {
      if (this.#spare === transport) this.#spare = undefined;
    };
    // A spare that dies while idle is simply not used; the next session spawns its own.
    transport.onclose = drop;
    transport.start().catch(drop);
  }

  /** Stops the spare process (and an early one never adopted); connections belong to agent sessions, which close their own. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#early?.kill();
    this.#early = undefined;
    const spare = this.#spare;
    this.#spare = undefined;
    await spare?.close().catch(() => undefined);
  }

  markRunning(): void {
    this.status = "running";
    this.lastError = undefined;
    this.#consecutiveFailures = 0;
    this.#firstStartedAt ??= Date.now();
  }

  /** `what`: a connection that ran and was lost is a crash; anything else is a failed start. */
  markFailed(reason: string, what: "crashed" | "failed" = "failed"): void {
    this.status = "error";
    this.lastError = reason;
    this.#consecutiveFailures++;
    this.#lastFailureAt = Date.now();
    this.#lastFailure = { at: this.#lastFailureAt, reason };
    this.options.logger.server(this.id, "error", "backend", reason);
    // As /health shows it: configured header and secret environment values redacted.
    this.#report(what, this.failureText());
  }

  #report(what: BackendEvent["what"], reason?: string): void {
    (this.options.observer ?? quietObserver).event({ kind: "backend", server: this.id, what, ...(reason !== undefined ? { reason } : {}) });
  }

  /**
   * Startup discovery: launch once, read identity, capabilities and every page of tools/list,
   * keep the allowed tools, and close the connection again (agent sessions open their own).
   * Never throws: a server that fails here is left in `error` and retried on first use.
   */
  async discover(): Promise<void> {
    const started = Date.now();
    let connection: BackendConnection | undefined;
    try {
      connection = await this.launch();
      const client = connection.client;
      this.serverInfo = client.getServerVersion();
      this.capabilities = client.getServerCapabilities() ?? {};
      this.instructions = client.getInstructions();
      this.options.logger.server(
        this.id,
        "info",
        "backend",
        `Backend server info: name=${this.serverInfo?.name ?? "?"}, version=${this.serverInfo?.version ?? "?"}`,
      );
      const tools = this.capabilities.tools
        ? await collectPages(async (cursor) => {
            const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: this.toolTimeoutMs });
            return { items: page.tools, nextCursor: page.nextCursor };
          })
        : [];
      this.tools = tools.filter((tool) => toolAllowed(this.config, tool.name));
      this.options.logger.tools(this.id, this.tools);
      this.options.logger.log("info", "backend", `Registered ${this.tools.length} tools from ${this.id}`);
    } catch (error) {
      if (this.status !== "error") this.markFailed(`tool discovery failed: ${errorText(error)}`);
      this.options.logger.log("error", "backend", `Failed to register tools from ${this.id} (took ${Date.now() - started}ms): ${errorText(error)}`);
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
}
