import { ErrorCode, McpError, ResultSchema, type Progress, type Result } from "@modelcontextprotocol/sdk/types.js";
import type { Backend } from "./backend.ts";
import { delay } from "./backoff.ts";
import type { ClientSide } from "./client-side.ts";
import type { BackendConnection } from "./connection.ts";
import { BACKEND_TIMEOUT, BACKEND_UNAVAILABLE, BackendError, errorText } from "./errors.ts";

export interface CallOptions {
  /** Aborts when the agent cancels; the backend is then sent notifications/cancelled. */
  signal?: AbortSignal;
  onprogress?: (progress: Progress) => void;
}

/** How long a backend that just timed out gets to answer a ping before it is presumed hung. */
const HANG_PROBE_MS = 5_000;

/**
 * One agent session's connection to one backend. It connects on first use, and after the
 * backend crashes or hangs it reconnects on the next use, waiting out the backend's backoff.
 * Every call is bounded by the tool timeout, so a dead or stuck backend fails the call with a
 * clear error instead of holding the agent.
 */
export class BackendSession {
  readonly backend: Backend;
  private readonly clientSide: ClientSide;
  private connection: Promise<BackendConnection> | undefined;
  private closing = false;

  constructor(backend: Backend, clientSide: ClientSide) {
    this.backend = backend;
    this.clientSide = clientSide;
  }

  /** The live connection, launching (or relaunching) the backend when there is none. */
  connect(signal?: AbortSignal): Promise<BackendConnection> {
    if (this.closing) return Promise.reject(this.unavailable("the session is closing"));
    this.connection ??= this.launch(signal);
    return this.connection;
  }

  /** The backend process id, when connected to a stdio server. */
  async pid(): Promise<number | undefined> {
    return this.connection ? (await this.connection.catch(() => undefined))?.pid : undefined;
  }

  /** Forwards one request and returns the backend's result unchanged. */
  async request(method: string, params: Record<string, unknown> | undefined, options: CallOptions = {}): Promise<Result> {
    const connection = await this.connect(options.signal).catch((error: unknown) => {
      throw error instanceof BackendError ? error : this.unavailable(`could not start: ${errorText(error)}`);
    });
    const timeoutMs = this.backend.toolTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    try {
      return await connection.client.request({ method, params } as never, ResultSchema, {
        signal,
        // The deadline above is the one that counts; the SDK's own default would cut calls at 60 s.
        timeout: timeoutMs + 60_000,
        ...(options.onprogress ? { onprogress: options.onprogress } : {}),
      });
    } catch (error) {
      if (deadline.aborted && !options.signal?.aborted) {
        void this.probeForHang(connection);
        throw new BackendError(
          BACKEND_TIMEOUT,
          this.backend.id,
          `backend "${this.backend.id}" did not answer ${method} within ${timeoutMs / 1000}s (tool timeout)`,
        );
      }
      if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
        throw this.unavailable(`closed its connection during ${method} (crashed or exited); it is restarted on the next call`);
      }
      if (error instanceof McpError) throw new BackendError(error.code, this.backend.id, errorText(error));
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    const connection = await this.connection?.catch(() => undefined);
    await connection?.close().catch(() => undefined);
  }

  private async launch(signal?: AbortSignal): Promise<BackendConnection> {
    try {
      await delay(this.backend.nextLaunchDelayMs(), signal);
      const connection = await this.backend.launch(this.clientSide);
      void connection.closed.then(() => this.onClosed(connection));
      return connection;
    } catch (error) {
      this.connection = undefined;
      throw error;
    }
  }

  private async onClosed(connection: BackendConnection): Promise<void> {
    if (this.closing) return;
    if ((await this.connection?.catch(() => undefined)) === connection) this.connection = undefined;
    this.backend.markFailed(`connection lost (process ${connection.pid ?? "-"} exited or the server went away)`);
  }

  /** After a timeout: a backend that cannot even answer ping is hung, so drop it for a restart. */
  private async probeForHang(connection: BackendConnection): Promise<void> {
    try {
      await connection.client.ping({ timeout: HANG_PROBE_MS });
    } catch {
      this.backend.options.logger.server(this.backend.id, "warn", "backend", "backend did not answer ping after a timeout; restarting it");
      await connection.close().catch(() => undefined);
    }
  }

  private unavailable(reason: string): BackendError {
    return new BackendError(BACKEND_UNAVAILABLE, this.backend.id, `backend "${this.backend.id}" ${reason}`);
  }
}
