// A WASM guard: a pool of instances of one compiled module, each in its own worker, with the
// policy state replayed into every instance, recovery after a crash, and back-off when the
// guard keeps failing. The typed label_* methods sit on top of one `invoke`.
import type { Worker } from "node:worker_threads";
import type { GuardFunction } from "./abi.ts";
import { GuardError } from "./errors.ts";
import { goJsonBytes } from "./go-json.ts";
import { InstancePool, type Slot } from "./instance-pool.ts";
import {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_MEMORY_LIMIT_PAGES,
  DEFAULT_POOL_SIZE,
  FAILED_AFTER_CONSECUTIVE_FAILURES,
  MAX_INPUT_BYTES,
  RECOVERY_BACKOFF_BASE_MS,
  RECOVERY_BACKOFF_MAX_MS,
} from "./limits.ts";
import { sharedModuleCache, type ModuleCache } from "./module-cache.ts";
import { compileGuardModule, readGuardBytes } from "./module-loader.ts";
import { parseAgentLabels, parseResourceLabels, parseResponseLabels } from "./results.ts";
import type { AgentLabels, Guard, GuardCallOptions, GuardLogger, GuardStatus, ResourceLabels } from "./types.ts";
import { GuardWorker, type CallContext, type WorkerOutcome } from "./worker-host.ts";
import { discardBootedWorker, reserveBootedWorker } from "./worker-spare.ts";
import { errorText } from "../shared/index.ts";

export interface WasmGuardOptions {
  /** The guard's name in logs, errors and /health (the server ID for discovered guards). */
  name: string;
  /** Cap on the guard's own memory, in 64 KiB pages; default 512 (32 MiB). */
  memoryLimitPages?: number;
  /** Instances serving calls in parallel; default 2. */
  poolSize?: number;
  /** Deadline of a call that passes none; default 60 s (the reference's tool timeout). */
  defaultTimeoutMs?: number;
  /** Compiled-module cache; default the process-wide one, null compiles without caching. */
  moduleCache?: ModuleCache | null;
  logger?: GuardLogger;
  /** Clock for the back-off window; tests pass their own. */
  now?: () => number;
}

const silentLogger: GuardLogger = { log: () => {} };

const MAX_WASM32_PAGES = 65_536;

/** Option errors say which option, what it got and what it takes. */
function checkOptions(options: WasmGuardOptions): void {
  const check = (field: keyof WasmGuardOptions, value: number | undefined, min: number, max: number, what: string) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
      throw new Error(`invalid ${field} ${String(value)}: expected ${what}`);
    }
  };
  check("memoryLimitPages", options.memoryLimitPages, 1, MAX_WASM32_PAGES, `a whole number of 64 KiB pages from 1 to ${MAX_WASM32_PAGES}`);
  check("poolSize", options.poolSize, 1, 1024, "a whole number of instances, at least 1");
  check("defaultTimeoutMs", options.defaultTimeoutMs, 1, Number.MAX_SAFE_INTEGER, "a positive whole number of milliseconds");
}

/** Loads a guard from a file path or bytes; rejects with a GuardError of kind "load". */
export async function loadWasmGuard(source: string | Uint8Array<ArrayBuffer>, options: WasmGuardOptions): Promise<WasmGuard> {
  const name = options.name;
  let booted: Promise<Worker> | undefined;
  try {
    checkOptions(options);
    // The first instance's worker boots (or the spare is taken) while the module is read and compiled.
    booted = reserveBootedWorker();
    const bytes = typeof source === "string" ? await readGuardBytes(source) : source;
    const cache = options.moduleCache === undefined ? sharedModuleCache() : options.moduleCache;
    const module = await compileGuardModule(bytes, options.memoryLimitPages ?? DEFAULT_MEMORY_LIMIT_PAGES, cache, typeof source === "string");
    const guard = new WasmGuard(module, options);
    const worker = booted;
    booted = undefined;
    await guard.start(worker);
    return guard;
  } catch (error) {
    if (booted) discardBootedWorker(booted);
    if (error instanceof GuardError) throw error;
    throw new GuardError(name, "load", `failed to load WASM guard '${name}': ${errorText(error)}`, { cause: error });
  }
}

type SpentKind = Exclude<WorkerOutcome, { ok: true }>["kind"];

/** One guard function and what the gateway gives it. */
export type GuardInput =
  | { func: "label_agent"; policy: unknown }
  | { func: "label_resource"; toolName: string; toolArgs: unknown }
  | { func: "label_response"; toolName: string; toolResult: unknown; toolArgs: unknown };

/** The input JSON the gateway sends each function, in the reference's key order. */
function inputBytes(input: GuardInput): Uint8Array {
  if (input.func === "label_agent") return goJsonBytes(input.policy);
  if (input.func === "label_resource") return goJsonBytes({ capabilities: {}, tool_args: input.toolArgs ?? null, tool_name: input.toolName });
  return goJsonBytes({ capabilities: {}, tool_args: input.toolArgs ?? null, tool_name: input.toolName, tool_result: input.toolResult ?? null });
}

export class WasmGuard implements Guard {
  readonly name: string;
  readonly #module: WebAssembly.Module;
  readonly #pool: InstancePool;
  readonly #logger: GuardLogger;
  readonly #defaultTimeoutMs: number;
  readonly #now: () => number;
  #policy: { input: Uint8Array; version: number } | undefined;
  #closing: Promise<void> | undefined;
  readonly #counts = { calls: 0, errors: 0, failures: 0, consecutiveFailures: 0, recoveries: 0 };
  #lastFailureAt = 0;
  #lastFailure: { func: GuardFunction; message: string } | undefined;

  constructor(module: WebAssembly.Module, options: WasmGuardOptions) {
    this.name = options.name;
    this.#module = module;
    this.#pool = new InstancePool(options.poolSize ?? DEFAULT_POOL_SIZE);
    this.#logger = options.logger ?? silentLogger;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Starts the first instance (in `booted`, if given), so a module that cannot be instantiated fails at load. */
  async start(booted?: Promise<Worker>): Promise<void> {
    const first = this.#pool.slots[0] as Slot;
    first.worker = this.#spawn(booted);
    await first.worker;
  }

  async labelAgent(policy: unknown, options: GuardCallOptions = {}): Promise<AgentLabels> {
    const output = await this.#invoke("label_agent", inputBytes({ func: "label_agent", policy }), options);
    return this.#parse("label_agent", () => parseAgentLabels(output));
  }

  async labelResource(toolName: string, toolArgs: unknown, options: GuardCallOptions = {}): Promise<ResourceLabels> {
    const output = await this.#invoke("label_resource", inputBytes({ func: "label_resource", toolName, toolArgs }), options);
    return this.#parse("label_resource", () => parseResourceLabels(output));
  }

  async labelResponse(toolName: string, toolResult: unknown, toolArgs: unknown, options: GuardCallOptions = {}): Promise<Record<string, unknown> | null> {
    const output = await this.#invoke("label_response", inputBytes({ func: "label_response", toolName, toolResult, toolArgs }), options);
    return this.#parse("label_response", () => parseResponseLabels(output));
  }

  /**
   * The guard's output for one call as it wrote it, unparsed (empty when it returned 0), for a
   * guard author to see (`flowgate guard call --raw`).
   */
  async outputText(input: GuardInput, options: GuardCallOptions = {}): Promise<string> {
    return new TextDecoder().decode(await this.#invoke(input.func, inputBytes(input), options));
  }

  status(): GuardStatus {
    const n = this.#counts.consecutiveFailures;
    return {
      name: this.name,
      state: n === 0 ? "healthy" : n < FAILED_AFTER_CONSECUTIVE_FAILURES ? "recovering" : "failed",
      ...this.#counts,
      instances: this.#pool.slots.filter((s) => s.worker).length,
      pool: this.#pool.usage(),
      ...(this.#lastFailure === undefined ? {} : { lastError: this.#lastFailure.message, lastFailedFunction: this.#lastFailure.func }),
      closed: this.#closing !== undefined,
    };
  }

  /** Closing does not depend on the signal: cleanup must finish even for a cancelled request. */
  close(_signal?: AbortSignal): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  async #closeAll(): Promise<void> {
    this.#pool.rejectWaiters(new GuardError(this.name, "unavailable", `WASM guard '${this.name}' is closed`));
    const errors: unknown[] = [];
    await Promise.all(
      this.#pool.slots.map(async (slot) => {
        const starting = slot.worker;
        slot.worker = undefined;
        if (!starting) return;
        let worker: GuardWorker;
        try {
          worker = await starting;
        } catch {
          // A worker that never started holds nothing to release; #spawn logged why.
          return;
        }
        try {
          await worker.terminate();
        } catch (error) {
          errors.push(error);
        }
      }),
    );
    if (errors.length > 0) {
      throw new AggregateError(errors, `closing WASM guard '${this.name}' failed: ${errors.map(errorText).join("; ")}`);
    }
  }

  #parse<T>(func: GuardFunction, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      this.#counts.errors++;
      this.#lastFailure = { func, message: errorText(error) };
      throw new GuardError(this.name, "error", `WASM guard '${this.name}': ${errorText(error)}`, { cause: error });
    }
  }

  #spawn(booted?: Promise<Worker>): Promise<GuardWorker> {
    const worker = GuardWorker.start(this.name, this.#module, booted);
    worker.catch((error: unknown) => this.#logger.log("error", this.name, `could not start an instance of WASM guard '${this.name}': ${errorText(error)}`));
    return worker;
  }

  #backoffError(): GuardError | undefined {
    const n = this.#counts.consecutiveFailures;
    if (n < 2) return undefined;
    const wait = Math.min(RECOVERY_BACKOFF_BASE_MS * 2 ** (n - 2), RECOVERY_BACKOFF_MAX_MS);
    const left = this.#lastFailureAt + wait - this.#now();
    if (left <= 0) return undefined;
    return new GuardError(
      this.name,
      "unavailable",
      `WASM guard '${this.name}' is recovering after ${n} consecutive failures; next attempt in ${Math.ceil(left)} ms (last error: ${this.#lastFailure?.message})`,
    );
  }

  async #invoke(func: GuardFunction, input: Uint8Array, options: GuardCallOptions): Promise<Uint8Array> {
    if (this.#closing) throw new GuardError(this.name, "unavailable", `WASM guard '${this.name}' is closed`);
    if (input.length > MAX_INPUT_BYTES) {
      throw new GuardError(this.name, "error", `WASM guard '${this.name}' ${func}: input too large: ${input.length} bytes (max ${MAX_INPUT_BYTES})`);
    }
    const backoff = this.#backoffError();
    if (backoff) throw backoff;
    const deadline = options.deadline ?? Date.now() + this.#defaultTimeoutMs;
    if (deadline <= Date.now()) {
      // Not the guard's fault: fail without running it (and without stopping a worker).
      throw new GuardError(this.name, "timeout", `WASM guard '${this.name}' ${func}: the call's deadline had already passed`);
    }
    const { signal } = options;
    const cancelled = () => new GuardError(this.name, "cancelled", `WASM guard '${this.name}' ${func}: request cancelled`);
    const slot =
      this.#pool.tryAcquire(signal) ??
      (await this.#pool.acquire(signal, deadline, {
        cancelled,
        timeout: () => new GuardError(this.name, "timeout", `WASM guard '${this.name}' ${func}: no instance became free before the deadline`),
      }));
    this.#counts.calls++;
    const run = this.#runOnSlot(slot, func, input, options, deadline);
    // `return await` settles this call in one step fewer than returning the promise.
    return await (signal ? raceAbort(run, signal, cancelled) : run);
  }

  /** The slot stays busy until the worker is really done, even if the caller stopped waiting. */
  async #runOnSlot(slot: Slot, func: GuardFunction, input: Uint8Array, options: GuardCallOptions, deadline: number): Promise<Uint8Array> {
    try {
      return await this.#runOnWorker(slot, func, input, options, deadline);
    } finally {
      this.#pool.release(slot);
    }
  }

  async #runOnWorker(slot: Slot, func: GuardFunction, input: Uint8Array, options: GuardCallOptions, deadline: number): Promise<Uint8Array> {
    if (this.#closing) throw new GuardError(this.name, "unavailable", `WASM guard '${this.name}' is closed`);
    let worker: GuardWorker;
    try {
      slot.worker ??= this.#spawn();
      worker = await slot.worker;
      if (!worker.alive) {
        slot.worker = this.#spawn();
        worker = await slot.worker;
      }
    } catch (error) {
      slot.worker = undefined;
      throw this.#failed(func, "crashed", `could not start an instance: ${errorText(error)}`);
    }
    if (deadline <= Date.now()) {
      // The time went on waiting for an instance to start: not the guard's doing.
      throw new GuardError(this.name, "timeout", `WASM guard '${this.name}' ${func}: the deadline passed before an instance was ready`);
    }
    const logger = options.logger ?? this.#logger;
    const context: CallContext = {
      backend: options.backend,
      signal: options.signal,
      deadline,
      log: (level, message) => logger.log(level, this.name, message),
    };
    const policy = this.#policy;
    if (func !== "label_agent" && policy && slot.policyVersion !== policy.version) {
      const replay = await worker.call("label_agent", policy.input.slice(), context);
      if (!replay.ok) throw this.#onSpent(slot, "label_agent", replay, "replaying label_agent failed: ");
      slot.policyVersion = policy.version;
    }
    const outcome = await worker.call(func, func === "label_agent" ? input.slice() : input, context);
    if (!outcome.ok) throw this.#onSpent(slot, func, outcome, "");
    if (func === "label_agent") {
      const version = (this.#policy?.version ?? 0) + 1;
      this.#policy = { input, version };
      slot.policyVersion = version;
    }
    this.#counts.consecutiveFailures = 0;
    return outcome.output;
  }

  /** Records a failed call and returns the error for the caller. */
  #onSpent(slot: Slot, func: GuardFunction, outcome: Exclude<WorkerOutcome, { ok: true }>, prefix: string): GuardError {
    if (outcome.kind === "error") {
      this.#counts.errors++;
      this.#lastFailure = { func, message: `${func}: ${prefix}${outcome.message}` };
      return new GuardError(this.name, "error", `WASM guard '${this.name}' ${func}: ${prefix}${outcome.message}`);
    }
    // The instance is gone or was re-instantiated from the module: its policy state is lost.
    slot.policyVersion = 0;
    if (outcome.kind === "timeout" || outcome.kind === "crashed") {
      // Start the replacement now, so the next call does not wait for a new worker.
      slot.worker = this.#closing ? undefined : this.#spawn();
    }
    this.#counts.recoveries++;
    if (outcome.kind === "exit") {
      return new GuardError(this.name, "error", `WASM guard '${this.name}' ${func}: ${prefix}${outcome.message}`);
    }
    return this.#failed(func, outcome.kind, `${prefix}${outcome.message}`);
  }

  #failed(func: GuardFunction, kind: SpentKind, message: string): GuardError {
    if (this.#closing) return new GuardError(this.name, "unavailable", `WASM guard '${this.name}' was closed during ${func}`);
    this.#counts.failures++;
    this.#counts.consecutiveFailures++;
    this.#lastFailureAt = this.#now();
    const described = kind === "timeout" ? `timed out: ${message}` : message;
    this.#lastFailure = { func, message: `${func}: ${described}` };
    this.#logger.log("error", this.name, `WASM guard trap: guard=${this.name}, func=${func}, error=${described}`);
    return new GuardError(this.name, kind === "timeout" ? "timeout" : "trap", `WASM guard '${this.name}' ${func} failed: ${described}`);
  }
}

/** Settles with `run`, or rejects as soon as the signal aborts (the run itself carries on). */
function raceAbort<T>(run: Promise<T>, signal: AbortSignal, error: () => Error): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(error());
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    run.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
