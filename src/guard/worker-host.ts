// The main-thread side of one guard worker: starts it, runs calls on it with a deadline,
// answers its call_backend requests, and terminates it when the deadline passes.
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from "node:worker_threads";
import { GUARD_FUNCTIONS, type GuardFunction } from "./abi.ts";
import { goJsonBytes } from "./go-json.ts";
import { INSTANTIATE_TIMEOUT_MS, SHARED_CALL_BUFFER_BYTES, SYNC_WAIT_MAX_INPUT_BYTES } from "./limits.ts";
import { waitBriefly } from "./brief-wait.ts";
import type { BackendCaller } from "./types.ts";
import type { LogLevel } from "../log/index.ts";
import {
  CALL_ANSWERED,
  CALL_AWAITING_HOST,
  CALL_IDLE,
  BACKEND_FAILED,
  CALL_REQUESTED,
  CALL_SLOT_COUNT,
  NO_BACKEND_REQUEST,
  SLOT_BACKEND_ANSWER_LENGTH,
  SLOT_BACKEND_ARGS_LENGTH,
  SLOT_BACKEND_NAME_LENGTH,
  SLOT_FUNCTION,
  SLOT_INPUT_LENGTH,
  SLOT_LOG_LENGTH,
  SLOT_OUTPUT_LENGTH,
  SLOT_PORT_MESSAGES,
  SLOT_STATE,
  VIA_PORT,
  type BackendRequest,
  type CallFailureKind,
  type CallRequest,
  type CallResponse,
  type HostToWorker,
  type LogLine,
  type WorkerInit,
  type WorkerToHost,
  afterSlotData,
} from "./worker/messages.ts";
import { takeBootedWorker } from "./worker-spare.ts";
import { readLogRecords } from "./worker/log-records.ts";

const decoder = new TextDecoder();

/** What one call needs besides its input. */
export interface CallContext {
  backend?: BackendCaller | undefined;
  signal?: AbortSignal | undefined;
  /** Absolute deadline, Date.now() milliseconds. */
  deadline: number;
  /** Receives the guard's host_log and stdout/stderr lines of this call. */
  log: (level: LogLevel, message: string) => void;
}

export type WorkerOutcome = { ok: true; output: Uint8Array } | { ok: false; kind: CallFailureKind | "timeout" | "crashed"; message: string };

interface PendingCall {
  log: CallContext["log"];
  resolve: (outcome: WorkerOutcome) => void;
  backend?: BackendCaller | undefined;
  /** Created only when the guard calls the backend, to keep the common call cheap. */
  backendAbort?: AbortController;
  aborted: boolean;
  replyPending: boolean;
  /** Set once the call waits asynchronously: only then must the worker keep the process alive. */
  keepsAlive: boolean;
}

export class GuardWorker {
  readonly #worker: Worker;
  readonly #callPort: MessagePort;
  readonly #callSlots: Int32Array;
  readonly #callData: Uint8Array;
  readonly #backendPort: MessagePort;
  readonly #backendFlag: Int32Array;
  #pending: PendingCall | undefined;
  #alive = true;
  #exitError: string | undefined;

  private constructor(worker: Worker, name: string, module: WebAssembly.Module) {
    const calls = new MessageChannel();
    const backend = new MessageChannel();
    const init: WorkerInit = {
      name,
      module,
      callSlots: new SharedArrayBuffer(CALL_SLOT_COUNT * 4),
      callData: new SharedArrayBuffer(SHARED_CALL_BUFFER_BYTES),
      callPort: calls.port2,
      backendFlag: new SharedArrayBuffer(4),
      backendPort: backend.port2,
    };
    this.#worker = worker;
    this.#worker.postMessage({ kind: "init", init } satisfies HostToWorker, [calls.port2, backend.port2]);
    this.#callPort = calls.port1;
    this.#callSlots = new Int32Array(init.callSlots);
    this.#callData = new Uint8Array(init.callData);
    this.#backendPort = backend.port1;
    this.#backendFlag = new Int32Array(init.backendFlag);
  }

  /** Instantiates the module in a booted worker (by default the spare); rejects with the reason it could not. */
  static async start(name: string, module: WebAssembly.Module, booted: Promise<Worker> = takeBootedWorker()): Promise<GuardWorker> {
    const host = new GuardWorker(await booted, name, module);
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
        } else if (message.kind === "init-failed" && !host.#pending) {
          fail(`failed to instantiate WASM module: ${message.message}`);
        } else if (message.kind === "init-failed") {
          // Re-instantiating after a crash failed; the worker exits and the slot gets a new one.
          host.#exitError = `could not re-instantiate the guard: ${message.message}`;
        }
      });
      host.#worker.on("error", (error) => {
        host.#exitError = error.message;
        if (!host.#pending) fail(`guard worker failed: ${error.message}`);
      });
      host.#worker.on("exit", (code) => host.#onExit(code));
    });
  }

  /** False once the worker was stopped or exited (e.g. it could not re-instantiate after a crash). */
  get alive(): boolean {
    return this.#alive;
  }

  /** Runs one guard function; resolves when the worker is done with it, or at the deadline. */
  call(func: GuardFunction, input: Uint8Array, context: CallContext): Promise<WorkerOutcome> {
    const { backend, signal, deadline } = context;
    if (!this.#alive) return Promise.resolve({ ok: false, kind: "crashed", message: this.#exitError ?? "guard worker is not running" });
    if (this.#pending) throw new Error("guard worker is busy: the pool gives a worker one call at a time");
    return new Promise((resolve) => {
      const onAbort = () => {
        // The caller gave up: stop the backend call and let the guard see −1, so it can
        // return and its buffers are freed while the instance lives on.
        pending.aborted = true;
        pending.backendAbort?.abort(signal?.reason);
        this.#reply(undefined);
      };
      const pending: PendingCall = {
        log: context.log,
        backend,
        aborted: false,
        replyPending: false,
        keepsAlive: false,
        resolve: (outcome) => {
          signal?.removeEventListener("abort", onAbort);
          if (pending.keepsAlive) this.#worker.unref();
          resolve(outcome);
        },
      };
      this.#pending = pending;
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
      const slots = this.#callSlots;
      slots[SLOT_BACKEND_NAME_LENGTH] = NO_BACKEND_REQUEST;
      if (input.length <= this.#callData.length) {
        this.#callData.set(input);
        slots[SLOT_FUNCTION] = GUARD_FUNCTIONS.indexOf(func);
        slots[SLOT_INPUT_LENGTH] = input.length;
      } else {
        slots[SLOT_INPUT_LENGTH] = VIA_PORT;
        this.#callPort.postMessage({ func, input } satisfies CallRequest, [input.buffer as ArrayBuffer]);
      }
      Atomics.store(slots, SLOT_STATE, CALL_REQUESTED);
      Atomics.notify(slots, SLOT_STATE);
      // A small call is usually answered before the event loop could even run the async wait's
      // task, so it is first waited for on the spot (also after each call_backend answer).
      const waitsBriefly = input.length <= SYNC_WAIT_MAX_INPUT_BYTES;
      // The wait's own timeout is the deadline: cheaper per call than a timer. A wake-up is not
      // proof of an answer (the worker's notify for the previous call can arrive late, and
      // call_backend changes the state twice), so look at the state and wait again until the
      // answer or the deadline.
      const budget = Math.max(0, deadline - Date.now());
      const wait = (): void => {
        if (this.#pending !== pending) return;
        const state = Atomics.load(slots, SLOT_STATE);
        if (state === CALL_ANSWERED) return this.#collect();
        if (state === CALL_AWAITING_HOST) {
          // Serve the guard's request now; the wait resumes once it is answered, or at the
          // deadline if the backend is slower than that.
          const request = this.#takeBackendRequest();
          if (request) return this.#serveThenWait(request, pending, deadline, budget, wait);
        }
        if (waitsBriefly && waitBriefly(slots, SLOT_STATE, state)) return wait();
        const left = deadline - Date.now();
        if (left <= 0) return this.#timeout(budget);
        if (!pending.keepsAlive) {
          // A call in flight keeps the process alive; an idle worker does not.
          pending.keepsAlive = true;
          this.#worker.ref();
        }
        const answered = Atomics.waitAsync(slots, SLOT_STATE, state, left);
        if (answered.async) void answered.value.then(wait);
        else wait();
      };
      wait();
    });
  }

  /** The worker's call_backend request, once: views of callData (read before answering) or the port's copy. */
  #takeBackendRequest(): BackendRequest | undefined {
    const slots = this.#callSlots;
    const nameLength = slots[SLOT_BACKEND_NAME_LENGTH] as number;
    if (nameLength === NO_BACKEND_REQUEST) return undefined;
    slots[SLOT_BACKEND_NAME_LENGTH] = NO_BACKEND_REQUEST;
    if (nameLength === VIA_PORT) return receiveMessageOnPort(this.#backendPort)?.message as BackendRequest | undefined;
    const start = afterSlotData(slots[SLOT_INPUT_LENGTH] as number);
    const argsEnd = start + nameLength + (slots[SLOT_BACKEND_ARGS_LENGTH] as number);
    return { name: this.#callData.subarray(start, start + nameLength), args: this.#callData.subarray(start + nameLength, argsEnd) };
  }

  #serveThenWait(request: BackendRequest, pending: PendingCall, deadline: number, budget: number, wait: () => void): void {
    const timer = setTimeout(
      () => {
        if (this.#pending === pending) this.#timeout(budget);
      },
      Math.max(0, deadline - Date.now()),
    );
    void this.#serveBackend(request).then(() => {
      clearTimeout(timer);
      wait();
    });
  }

  #timeout(budget: number): void {
    void this.terminate();
    this.#finish({ ok: false, kind: "timeout", message: `did not return within its deadline (${budget} ms); the worker running it was stopped` });
  }

  /** Stops the worker; safe to call again. */
  async terminate(): Promise<void> {
    this.#alive = false;
    this.#callPort.close();
    this.#backendPort.close();
    await this.#worker.terminate();
  }

  /** Reads the call's answer: its log lines, then the outcome, each from callData or the port. */
  #collect(): void {
    const slots = this.#callSlots;
    if (!this.#alive || Atomics.load(slots, SLOT_STATE) !== CALL_ANSWERED) return;
    const outputLength = slots[SLOT_OUTPUT_LENGTH] as number;
    const logStart = afterSlotData(outputLength);
    const logLength = slots[SLOT_LOG_LENGTH] as number;
    if (logLength > 0) this.#log(readLogRecords(this.#callData.subarray(logStart, logStart + logLength)));
    for (let n = slots[SLOT_PORT_MESSAGES] as number; n > 0; n--) {
      const message = receiveMessageOnPort(this.#callPort)?.message as CallResponse | undefined;
      if (message?.kind === "logs") this.#log(message.lines);
      else if (message?.kind === "result") this.#finish({ ok: true, output: message.output });
      else if (message) this.#finish({ ok: false, kind: message.failure, message: message.message });
    }
    if (outputLength !== VIA_PORT) this.#finish({ ok: true, output: this.#callData.slice(0, outputLength) });
    Atomics.store(slots, SLOT_STATE, CALL_IDLE);
  }

  #log(lines: readonly LogLine[]): void {
    for (const line of lines) this.#pending?.log(line.level, line.message);
  }

  #finish(outcome: WorkerOutcome): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    // Only a backend call still in flight (the worker timed out or crashed while waiting for
    // it) needs stopping. Aborting one that finished would cost every calling-back call a
    // DOMException with its stack trace, on the answer's path, for nothing.
    if (pending.replyPending) pending.backendAbort?.abort();
    pending.resolve(outcome);
  }

  #onExit(code: number): void {
    this.#alive = false;
    this.#finish({ ok: false, kind: "crashed", message: this.#exitError ?? `guard worker exited with code ${code}` });
  }

  async #serveBackend(request: BackendRequest): Promise<void> {
    const pending = this.#pending;
    if (!pending) return;
    pending.replyPending = true;
    if (!pending.backend || pending.aborted) {
      this.#reply(undefined);
      return;
    }
    let answer: Uint8Array | undefined;
    try {
      // Decoded before anything else: the answer is written where the request is.
      const toolName = decoder.decode(request.name);
      const args: unknown = request.args.length === 0 ? null : JSON.parse(decoder.decode(request.args));
      pending.backendAbort ??= new AbortController();
      answer = goJsonBytes(await pending.backend(toolName, args, pending.backendAbort.signal));
    } catch {
      // Bad JSON from the guard or a failed backend call: the guard sees −1 either way.
      answer = undefined;
    }
    if (this.#pending === pending) this.#reply(answer);
  }

  /** Hands the blocked worker its call_backend answer (undefined: failed), once per request. */
  #reply(answer: Uint8Array | undefined): void {
    const pending = this.#pending;
    if (!pending?.replyPending || !this.#alive) return;
    pending.replyPending = false;
    const slots = this.#callSlots;
    // The answer goes where the request was: right after the input, if the input is in callData.
    const start = afterSlotData(slots[SLOT_INPUT_LENGTH] as number);
    if (!answer) {
      slots[SLOT_BACKEND_ANSWER_LENGTH] = BACKEND_FAILED;
    } else if (answer.length <= this.#callData.length - start) {
      this.#callData.set(answer, start);
      slots[SLOT_BACKEND_ANSWER_LENGTH] = answer.length;
    } else {
      slots[SLOT_BACKEND_ANSWER_LENGTH] = VIA_PORT;
      this.#backendPort.postMessage(answer);
    }
    // The guard runs on: the host moves the state back (see askHost in the worker).
    Atomics.store(slots, SLOT_STATE, CALL_REQUESTED);
    Atomics.store(this.#backendFlag, 0, 1);
    Atomics.notify(this.#backendFlag, 0);
  }
}
