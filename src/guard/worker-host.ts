// The main-thread side of one guard worker: starts it, runs calls on it with a deadline,
// answers its call_backend requests, and terminates it when the deadline passes.
import { MessageChannel, Worker } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import type { GuardFunction } from "./abi.ts";
import { errorMessage } from "./errors.ts";
import { goJsonBytes } from "./go-json.ts";
import { INSTANTIATE_TIMEOUT_MS, WORKER_HEAP_LIMIT_MB } from "./limits.ts";
import type { BackendCaller } from "./types.ts";
import type { LogLevel } from "../log/types.ts";
import type { BackendReply, BackendRequest, CallFailureKind, WorkerInit, WorkerToHost } from "./worker/messages.ts";

const WORKER_URL = new URL("./worker/guard-worker.ts", import.meta.url);

export type WorkerOutcome =
  | { ok: true; output: Uint8Array }
  | { ok: false; kind: CallFailureKind | "timeout" | "crashed"; message: string };

interface PendingCall {
  id: number;
  resolve: (outcome: WorkerOutcome) => void;
  backend?: BackendCaller;
  backendAbort: AbortController;
  timer: NodeJS.Timeout;
  replyPending: boolean;
}

export class GuardWorker {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #flag: Int32Array;
  readonly #onLog: (level: LogLevel, message: string) => void;
  #pending: PendingCall | undefined;
  #nextId = 1;
  #alive = true;
  #exitError: string | undefined;

  private constructor(name: string, module: WebAssembly.Module, onLog: (level: LogLevel, message: string) => void) {
    const channel = new MessageChannel();
    const flag = new SharedArrayBuffer(4);
    const init: WorkerInit = { name, module, backendFlag: flag, backendPort: channel.port2 };
    this.#worker = new Worker(WORKER_URL, {
      workerData: init,
      transferList: [channel.port2],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_LIMIT_MB },
      stdin: false,
      stdout: true,
      stderr: true,
    });
    this.#port = channel.port1;
    this.#flag = new Int32Array(flag);
    this.#onLog = onLog;
    this.#worker.unref();
    this.#port.on("message", (request: BackendRequest) => void this.#serveBackend(request));
    this.#port.unref();
  }

  /** Starts a worker and instantiates the module in it; rejects with the reason it could not. */
  static start(name: string, module: WebAssembly.Module, onLog: (level: LogLevel, message: string) => void): Promise<GuardWorker> {
    const host = new GuardWorker(name, module, onLog);
    return new Promise((resolve, reject) => {
      const fail = (message: string) => {
        clearTimeout(timer);
        void host.terminate();
        reject(new Error(message));
      };
      const timer = setTimeout(() => fail(`instantiation did not finish within ${INSTANTIATE_TIMEOUT_MS} ms`), INSTANTIATE_TIMEOUT_MS);
      host.#worker.on("message", (message: WorkerToHost) => {
        if (message.kind === "ready") {
          clearTimeout(timer);
          resolve(host);
        } else if (message.kind === "init-failed") {
          fail(`failed to instantiate WASM module: ${message.message}`);
        } else {
          host.#onMessage(message);
        }
      });
      host.#worker.on("error", (error) => {
        if (host.#pending === undefined) fail(`guard worker failed: ${error.message}`);
        host.#exitError = error.message;
      });
      host.#worker.on("exit", (code) => host.#onExit(code));
    });
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Runs one guard function; resolves when the worker is done with it, or at the deadline. */
  call(func: GuardFunction, input: Uint8Array, backend: BackendCaller | undefined, signal: AbortSignal | undefined, deadline: number): Promise<WorkerOutcome> {
    if (!this.#alive) return Promise.resolve({ ok: false, kind: "crashed", message: "guard worker is not running" });
    if (this.#pending) throw new Error("guard worker is busy: the pool gives a worker one call at a time");
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const backendAbort = new AbortController();
      const onAbort = () => {
        // The caller gave up: stop the backend call and let the guard see −1, so it can
        // return and its buffers are freed while the instance lives on.
        backendAbort.abort(signal?.reason);
        this.#reply({ ok: false, message: "request cancelled" });
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const timer = setTimeout(() => {
        void this.terminate();
        this.#finish({ ok: false, kind: "timeout", message: `did not return before its deadline (${Math.max(0, deadline - Date.now())} ms left)` });
      }, Math.max(0, deadline - Date.now()));
      this.#pending = {
        id,
        backend,
        backendAbort,
        timer,
        replyPending: false,
        resolve: (outcome) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(outcome);
        },
      };
      if (signal?.aborted) onAbort();
      this.#worker.postMessage({ kind: "call", id, func, input }, [input.buffer as ArrayBuffer]);
    });
  }

  /** Stops the worker; safe to call again. */
  async terminate(): Promise<void> {
    this.#alive = false;
    this.#port.close();
    await this.#worker.terminate();
  }

  #finish(outcome: WorkerOutcome): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    clearTimeout(pending.timer);
    pending.backendAbort.abort();
    pending.resolve(outcome);
  }

  #onMessage(message: WorkerToHost): void {
    if (message.kind === "log") {
      this.#onLog(message.level, message.message);
    } else if (message.kind === "result" && message.id === this.#pending?.id) {
      this.#finish({ ok: true, output: message.output });
    } else if (message.kind === "failure" && message.id === this.#pending?.id) {
      this.#finish({ ok: false, kind: message.failure, message: message.message });
    } else if (message.kind === "init-failed") {
      // Re-instantiating after a trap failed: this worker can serve no more calls.
      this.#onLog("error", `could not re-instantiate after a failure: ${message.message}`);
      void this.terminate();
    }
  }

  #onExit(code: number): void {
    this.#alive = false;
    this.#finish({ ok: false, kind: "crashed", message: this.#exitError ?? `guard worker exited with code ${code}` });
  }

  async #serveBackend(request: BackendRequest): Promise<void> {
    const pending = this.#pending;
    if (!pending) return;
    pending.replyPending = true;
    if (!pending.backend || pending.backendAbort.signal.aborted) {
      this.#reply({ ok: false, message: "no backend caller for this call" });
      return;
    }
    let reply: BackendReply;
    try {
      const result = await pending.backend(request.toolName, request.args, pending.backendAbort.signal);
      reply = { ok: true, json: goJsonBytes(result) };
    } catch (error) {
      reply = { ok: false, message: errorMessage(error) };
    }
    if (this.#pending === pending) this.#reply(reply);
  }

  /** Hands the blocked worker its call_backend answer, once per request. */
  #reply(reply: BackendReply): void {
    const pending = this.#pending;
    if (!pending?.replyPending || !this.#alive) return;
    pending.replyPending = false;
    this.#port.postMessage(reply);
    Atomics.store(this.#flag, 0, 1);
    Atomics.notify(this.#flag, 0);
  }
}
