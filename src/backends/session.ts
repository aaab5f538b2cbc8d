import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError, ResultSchema, type Result } from "@modelcontextprotocol/sdk/types.js";
import type { RpcLogRecord } from "../log/index.ts";
import type { Backend } from "./backend.ts";
import type { ClientSide } from "./client-side.ts";
import type { BackendConnection } from "./connection.ts";
import { needsProtocolBookkeeping } from "./direct-requests.ts";
import { BACKEND_TIMEOUT, BACKEND_UNAVAILABLE, BackendError } from "./errors.ts";
import { errorText, MAX_JSON_NESTING, nestsDeeperThan, rpcErrorOf } from "../shared/index.ts";

export interface CallOptions {
  /** Aborts when the agent cancels; the backend is then sent notifications/cancelled. */
  signal?: AbortSignal;
  /** The agent's labels, recorded with this exchange in rpc-messages.jsonl (sink servers only). */
  agentLabels?: { secrecy: string[]; integrity: string[] };
  /** Logs this exchange instead of the backend's logger: enforcement's, which marks payloads that may be secret. */
  rpcLog?: (record: RpcLogRecord) => void;
}

/** How long (at most; never more than the tool timeout) a backend that just timed out gets to answer a ping before it is presumed hung. */
const HANG_PROBE_MS = 5_000;

/**
 * One agent session's connection to one backend. It connects on first use, and after the
 * backend crashes or hangs it reconnects on the next use; inside the backend's backoff window a
 * call fails at once rather than waiting.
 * Every call is bounded by the tool timeout, so a dead or stuck backend fails the call with a
 * clear error instead of holding the agent.
 */
export class BackendSession {
  readonly backend: Backend;
  readonly #clientSide: ClientSide;
  #connection: Promise<BackendConnection> | undefined;
  #closing = false;
  /** Connections closed on purpose (an expired HTTP session), which are not failures. */
  readonly #retired = new WeakSet<BackendConnection>();

  constructor(backend: Backend, clientSide: ClientSide) {
    this.backend = backend;
    this.#clientSide = clientSide;
  }

  /** The live connection, launching (or relaunching) the backend when there is none. */
  connect(): Promise<BackendConnection> {
    if (this.#closing) return Promise.reject(this.#unavailable("the session is closing"));
    if (this.#connection) return this.#connection;
    const launching = this.#launch();
    this.#connection = launching;
    launching.catch(() => {
      if (this.#connection === launching) this.#connection = undefined;
    });
    return launching;
  }

  /** Forwards one request and returns the backend's result unchanged. */
  async request(method: string, params: Record<string, unknown> | undefined, options: CallOptions = {}): Promise<Result> {
    const logger = this.backend.options.logger;
    const rpcLog = options.rpcLog ?? ((record: RpcLogRecord) => logger.rpc(record));
    const serverId = this.backend.id;
    const labels = options.agentLabels ? { agentSecrecy: options.agentLabels.secrecy, agentIntegrity: options.agentLabels.integrity } : {};
    rpcLog({ event: "rpc_request", serverId, method, payload: { jsonrpc: "2.0", method, params }, ...labels });
    try {
      const result = await this.#sendReconnecting(method, params, options);
      // Everything after this walks the answer (log formatting, guard encoding, the reply itself),
      // and JSON nested far past any real answer overflows those walks' stacks: refused here, as a
      // client's own message nested that deep is.
      if (nestsDeeperThan(result, MAX_JSON_NESTING)) {
        throw new BackendError(
          ErrorCode.InternalError,
          serverId,
          `backend "${serverId}" answered with JSON nested more than ${MAX_JSON_NESTING} levels deep; the answer was refused`,
        );
      }
      rpcLog({ event: "rpc_response", serverId, payload: { jsonrpc: "2.0", result }, ...labels });
      return result;
    } catch (error) {
      const detail = rpcErrorOf(error);
      rpcLog({ event: "rpc_response", serverId, payload: { jsonrpc: "2.0", error: detail }, error: detail.message, ...labels });
      throw error;
    }
  }

  /**
   * Sends on the live connection. An HTTP backend that forgot the MCP session (it restarted, or
   * expired it) gets one fresh session and the request once more, as the reference does.
   */
  async #sendReconnecting(method: string, params: Record<string, unknown> | undefined, options: CallOptions): Promise<Result> {
    const connection = await this.#connectOrFail();
    try {
      return await this.#send(connection, method, params, options);
    } catch (error) {
      if (!sessionExpired(error)) throw error;
      const logger = this.backend.options.logger;
      logger.server(this.backend.id, "warn", "backend", `MCP session expired for ${this.backend.id}, attempting to reconnect...`);
      await this.#discard(connection, false);
      const fresh = await this.#connectOrFail();
      logger.server(this.backend.id, "info", "backend", `Session successfully reconnected for ${this.backend.id}`);
      try {
        return await this.#send(fresh, method, params, options);
      } catch (retryError) {
        if (!sessionExpired(retryError)) throw retryError;
        await this.#discard(fresh, true);
        throw this.#unavailable(`lost its MCP session again right after reconnecting: ${errorText(retryError)}`);
      }
    }
  }

  #connectOrFail(): Promise<BackendConnection> {
    return this.connect().catch((error: unknown) => {
      throw error instanceof BackendError ? error : this.#unavailable(`could not start: ${errorText(error)}`);
    });
  }

  async #send(connection: BackendConnection, method: string, params: Record<string, unknown> | undefined, options: CallOptions): Promise<Result> {
    const timeoutMs = this.backend.toolTimeoutMs;
    // One controller for both the deadline and the agent's cancellation, released when the call
    // settles: AbortSignal.timeout/any would leave a timer and a listener behind for every call.
    const abort = new AbortController();
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      abort.abort(new DOMException("tool timeout", "TimeoutError"));
    }, timeoutMs);
    // The backend hears of the cancellation in the gateway's words: the agent's reason is text of its choosing.
    const cancel = () => abort.abort(new DOMException("the agent cancelled the request", "AbortError"));
    if (options.signal?.aborted) cancel();
    else options.signal?.addEventListener("abort", cancel, { once: true });
    try {
      if (connection.direct && method === "tools/call" && params !== undefined && !needsProtocolBookkeeping(params))
        return await connection.direct.request(method, params, abort.signal);
      return await connection.client.request({ method, params } as never, ResultSchema, {
        signal: abort.signal,
        // The deadline above is the one that counts; the SDK's own default would cut calls at 60 s.
        timeout: timeoutMs + 60_000,
      });
    } catch (error) {
      if (timedOut && !options.signal?.aborted) {
        void this.#probeForHang(connection, Math.min(HANG_PROBE_MS, timeoutMs));
        const timeout = new BackendError(
          BACKEND_TIMEOUT,
          this.backend.id,
          `backend "${this.backend.id}" did not answer ${method} within ${timeoutMs / 1000}s (tool timeout)`,
        );
        // Spec §9.2: the server, the method and the time it was given, in the log as well as to the client.
        this.backend.options.logger.server(this.backend.id, "warn", "backend", timeout.message);
        throw timeout;
      }
      // The SDK rejects a request whose connection closed with -32000, the code a backend may use
      // for an error of its own: only a connection that is gone (no transport left) crashed.
      if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed && connection.client.transport === undefined) {
        throw this.#unavailable(`closed its connection during ${method} (crashed or exited); it is restarted on the next call`);
      }
      if (error instanceof McpError) throw new BackendError(error.code, this.backend.id, errorText(error));
      if (sessionExpired(error)) throw error;
      // A transport failure (refused connection, HTTP error): this connection is no use any more.
      await this.#discard(connection, true);
      throw this.#unavailable(`failed during ${method}: ${errorText(error)}; it is reconnected on the next call`);
    } finally {
      clearTimeout(deadline);
      options.signal?.removeEventListener("abort", cancel);
    }
  }

  /** Drops a connection; `failed` says whether it counts against the backend (health, backoff). */
  async #discard(connection: BackendConnection, failed: boolean): Promise<void> {
    if (!failed) this.#retired.add(connection);
    if ((await this.#connection?.catch(() => undefined)) === connection) this.#connection = undefined;
    await connection.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closing = true;
    const connection = await this.#connection?.catch(() => undefined);
    await connection?.close().catch(() => undefined);
  }

  async #launch(): Promise<BackendConnection> {
    const blockedMs = this.backend.relaunchBlockedForMs();
    if (blockedMs > 0) {
      throw this.#unavailable(`is down (${this.backend.lastError ?? "failed"}); next restart attempt in ${Math.ceil(blockedMs / 1000)}s`);
    }
    const connection = await this.backend.launch(this.#clientSide);
    void connection.closed.then(() => this.#onClosed(connection));
    return connection;
  }

  async #onClosed(connection: BackendConnection): Promise<void> {
    if (this.#closing || this.#retired.has(connection)) return;
    // Recorded before anything else, so /health already shows it when the failed call is answered.
    this.backend.markFailed(`connection lost (process ${connection.pid ?? "-"} exited or the server went away)`, "crashed");
    if ((await this.#connection?.catch(() => undefined)) === connection) this.#connection = undefined;
  }

  /** After a timeout: a backend that cannot even answer ping is hung, so drop it for a restart. */
  async #probeForHang(connection: BackendConnection, timeoutMs: number): Promise<void> {
    try {
      await connection.client.ping({ timeout: timeoutMs });
    } catch {
      this.backend.options.logger.server(this.backend.id, "warn", "backend", "backend did not answer ping after a timeout; killing it for a restart");
      await connection.close("SIGKILL").catch(() => undefined);
    }
  }

  #unavailable(reason: string): BackendError {
    return new BackendError(BACKEND_UNAVAILABLE, this.backend.id, `backend "${this.backend.id}" ${reason}`);
  }
}

/** An HTTP backend's answer to a request on an MCP session it no longer knows. */
function sessionExpired(error: unknown): boolean {
  if (!(error instanceof StreamableHTTPError)) return false;
  return error.code === 404 || (error.code === 400 && /session/i.test(error.message));
}
