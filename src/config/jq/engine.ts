// Runs jq programs off the event loop. jq-wasm is jq compiled to WebAssembly, and a running
// WebAssembly call cannot be interrupted from its own thread, so jq runs in worker threads: a
// filter that loops forever blocks only its worker, which is terminated when the call's time is
// up and replaced. A small pool lets a slow filter and other calls' filters run side by side;
// jobs wait in a queue when every worker is busy, and their clock starts when a worker takes them.
import { Worker } from "node:worker_threads";
import type { JqAnswer, JqJob } from "./worker.ts";
import { workerEnv } from "../../shared/index.ts";

const WORKER_URL = new URL("./worker.ts", import.meta.url);
/** The reference gives jq 5 s (gateway.md §5). */
const DEFAULT_JQ_TIMEOUT_MS = 5000;
const DEFAULT_WORKERS = 2;
/** Bounds the JavaScript side of a worker (jq's own output strings); jq's heap is WebAssembly memory. */
const WORKER_HEAP_LIMIT_MB = 256;

interface JqOutcome {
  exitCode: number;
  /** Compact output, one JSON text per line. */
  stdout: string;
  stderr: string;
}

interface JqEngineOptions {
  timeoutMs?: number;
  workers?: number;
}

interface Pending {
  job: JqJob;
  resolve: (outcome: JqOutcome) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  retired: boolean;
  current?: Pending;
}

export class JqEngine {
  readonly timeoutMs: number;
  readonly #size: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: JqEngineOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_JQ_TIMEOUT_MS;
    this.#size = Math.max(1, options.workers ?? DEFAULT_WORKERS);
  }

  /** Boots one worker ahead of the first call, so that call does not wait for jq to load. */
  warm(): void {
    if (!this.#closed && this.#slots.length === 0) this.#spawn();
  }

  /** Runs `program` on the JSON text `input`; rejects on a timeout or a worker failure. */
  run(program: string, input: string): Promise<JqOutcome> {
    if (this.#closed) return Promise.reject(new Error("the jq engine is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ job: { id: this.#nextId++, program, input }, resolve, reject });
      this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) pending.reject(new Error("the jq engine is closed"));
    await Promise.all([...this.#slots].map((slot) => this.#retire(slot, new Error("the jq engine is closed"))));
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const idle = this.#slots.find((slot) => slot.ready && !slot.current);
      if (!idle) {
        const booting = this.#slots.some((slot) => !slot.ready);
        if (!booting && this.#slots.length < this.#size) this.#spawn();
        return;
      }
      this.#start(idle, this.#queue.shift()!);
    }
  }

  #start(slot: Slot, pending: Pending): void {
    slot.current = pending;
    pending.timer = setTimeout(() => {
      void this.#retire(slot, new Error(`timed out after ${this.timeoutMs} ms`));
      this.#replenish();
    }, this.timeoutMs);
    slot.worker.postMessage(pending.job);
  }

  #spawn(): void {
    const worker = new Worker(WORKER_URL, { env: workerEnv(), resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_LIMIT_MB } });
    worker.unref();
    const slot: Slot = { worker, ready: false, retired: false };
    this.#slots.push(slot);
    worker.on("message", (answer: JqAnswer) => this.#answered(slot, answer));
    worker.on("error", (error) => this.#failed(slot, `the jq worker failed: ${error.message}`));
    worker.on("exit", (code) => this.#failed(slot, `the jq worker exited with code ${code}`));
  }

  #answered(slot: Slot, answer: JqAnswer): void {
    if (slot.retired) return;
    if (answer.kind === "ready") {
      slot.ready = true;
    } else if (answer.kind === "done" && slot.current?.job.id === answer.id) {
      const pending = slot.current;
      slot.current = undefined;
      clearTimeout(pending.timer);
      pending.resolve({ exitCode: answer.exitCode, stdout: answer.stdout, stderr: answer.stderr });
    } else if (answer.kind === "crashed") {
      this.#failed(slot, answer.message);
      return;
    }
    this.#pump();
  }

  /** A worker that crashed or exited: its job fails; one that never got ready fails the queue too. */
  #failed(slot: Slot, message: string): void {
    if (slot.retired) return;
    const booting = !slot.ready;
    void this.#retire(slot, new Error(message));
    if (booting) for (const pending of this.#queue.splice(0)) pending.reject(new Error(message));
    else this.#replenish();
  }

  #replenish(): void {
    if (this.#closed) return;
    if (this.#slots.length === 0) this.#spawn();
    this.#pump();
  }

  async #retire(slot: Slot, reason: Error): Promise<void> {
    if (slot.retired) return;
    slot.retired = true;
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    const pending = slot.current;
    slot.current = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(reason);
    }
    await slot.worker.terminate();
  }
}
