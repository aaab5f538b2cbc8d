// The guard worker: owns one instance of one guard module and runs calls on it one at a time.
// Running guards off the main thread is what lets the host stop a runaway guard (terminate)
// while the gateway keeps serving; call_backend blocks this thread in Atomics.wait while the
// main thread performs the asynchronous backend call. The worker boots blank and learns its
// module from the first message, so the host can keep a booted spare ready.
import { parentPort, receiveMessageOnPort, type Transferable } from "node:worker_threads";
import { GUARD_FUNCTIONS, type GuardFunction } from "../abi.ts";
import { CODE_BUFFER_TOO_SMALL, CODE_ERROR, MAX_BACKEND_CALLS_PER_INVOCATION } from "../limits.ts";
import type { LogLevel } from "../../log/index.ts";
import { CallFailure, invokeGuardFunction, type LiveInstance } from "./call-protocol.ts";
import { writeLogRecords } from "./log-records.ts";
import {
  CALL_ANSWERED,
  CALL_AWAITING_HOST,
  CALL_REQUESTED,
  SLOT_FUNCTION,
  SLOT_INPUT_LENGTH,
  SLOT_LOG_LENGTH,
  SLOT_OUTPUT_LENGTH,
  SLOT_PORT_MESSAGES,
  SLOT_BACKEND_ANSWER_LENGTH,
  SLOT_BACKEND_ARGS_LENGTH,
  SLOT_BACKEND_NAME_LENGTH,
  SLOT_STATE,
  VIA_PORT,
  type BackendRequest,
  type CallRequest,
  type CallResponse,
  type HostToWorker,
  type LogLine,
  type WorkerInit,
  type WorkerToHost,
  afterSlotData,
} from "./messages.ts";
import { createWasi } from "./wasi.ts";
import { errorText } from "../../shared/index.ts";

const host = parentPort as NonNullable<typeof parentPort>;
let init: WorkerInit;
let callSlots: Int32Array;
let callData: Uint8Array;
let backendFlag: Int32Array;
const LOG_LEVELS: LogLevel[] = ["debug", "info", "warn", "error"];
const decoder = new TextDecoder();

function send(message: WorkerToHost): void {
  host.postMessage(message);
}

let portMessages = 0;

function respond(message: CallResponse, transfer: Transferable[] = []): void {
  portMessages++;
  init.callPort.postMessage(message, transfer);
}

// A call's log lines reach the host with its answer, not one message each as they happen:
// a message per line costs a postMessage here and a receive on the host, per line.
let logLines: LogLine[] = [];

function log(level: LogLevel, message: string): void {
  logLines.push({ level, message });
}

/** Puts the call's log lines into callData from `at`, or on the port if they do not fit there. */
function flushLog(at: number): void {
  const written = logLines.length === 0 ? 0 : writeLogRecords(logLines, callData.subarray(at));
  if (written === undefined) respond({ kind: "logs", lines: logLines });
  callSlots[SLOT_LOG_LENGTH] = written ?? 0;
  logLines = [];
}

let backendCalls = 0;
let live: LiveInstance | undefined;
let flushOutput = (): void => {};

function memoryBytes(): Uint8Array {
  return new Uint8Array((live as LiveInstance).memory.buffer);
}

/**
 * Hands the host the guard's request (its bytes, unparsed) and blocks until it answers; returns
 * the answer's JSON (in callData: valid until the next call_backend) or undefined if it failed.
 */
function askHost(name: Uint8Array, args: Uint8Array): Uint8Array | undefined {
  Atomics.store(backendFlag, 0, 0);
  // call_backend's request and answer go in callData right after an input that is there.
  const start = afterSlotData(callSlots[SLOT_INPUT_LENGTH] as number);
  if (name.length + args.length <= callData.length - start) {
    callData.set(name, start);
    callData.set(args, start + name.length);
    callSlots[SLOT_BACKEND_NAME_LENGTH] = name.length;
    callSlots[SLOT_BACKEND_ARGS_LENGTH] = args.length;
  } else {
    callSlots[SLOT_BACKEND_NAME_LENGTH] = VIA_PORT;
    init.backendPort.postMessage({ name: name.slice(), args: args.slice() } satisfies BackendRequest);
  }
  // A host waiting synchronously for the answer must stop and serve the request instead.
  Atomics.store(callSlots, SLOT_STATE, CALL_AWAITING_HOST);
  Atomics.notify(callSlots, SLOT_STATE);
  // The host sets CALL_REQUESTED again itself when it answers, so each side only ever moves the
  // state away from a value the other side set: a waiter cannot miss a change that came and went.
  while (Atomics.load(backendFlag, 0) === 0) Atomics.wait(backendFlag, 0, 0);
  const length = callSlots[SLOT_BACKEND_ANSWER_LENGTH] as number;
  if (length === VIA_PORT) return receiveMessageOnPort(init.backendPort)?.message as Uint8Array | undefined;
  return length >= 0 ? callData.subarray(start, start + length) : undefined;
}

/** A view of guard memory [ptr, ptr+len), or undefined if any of it is out of bounds. */
function guardView(memory: Uint8Array, ptr: number, len: number): Uint8Array | undefined {
  const start = ptr >>> 0;
  const end = start + (len >>> 0);
  return end <= memory.length ? memory.subarray(start, end) : undefined;
}

function callBackend(namePtr: number, nameLen: number, argsPtr: number, argsLen: number, resultPtr: number, resultSize: number): number {
  try {
    if (++backendCalls > MAX_BACKEND_CALLS_PER_INVOCATION) return CODE_ERROR;
    const name = guardView(memoryBytes(), namePtr, nameLen);
    const args = guardView(memoryBytes(), argsPtr, argsLen);
    if (!name || !args) return CODE_ERROR;
    // The host decodes and parses the request: bad JSON comes back as a failed answer (−1).
    const json = askHost(name, args);
    if (!json) return CODE_ERROR;
    const memory = memoryBytes();
    const start = resultPtr >>> 0;
    const size = resultSize >>> 0;
    if (json.length > size) {
      if (size >= 4 && start + 4 <= memory.length) new DataView(memory.buffer).setUint32(start, json.length, true);
      return CODE_BUFFER_TOO_SMALL;
    }
    if (start + json.length > memory.length) return CODE_ERROR;
    memory.set(json, start);
    return json.length;
  } catch {
    // A host function never throws into the guard: bad pointers are −1.
    return CODE_ERROR;
  }
}

function hostLog(level: number, ptr: number, len: number): void {
  const message = guardView(memoryBytes(), ptr, len);
  if (!message) {
    log("warn", "hostLog: failed to read message from WASM memory");
    return;
  }
  log(LOG_LEVELS[level] ?? "debug", decoder.decode(message));
}

function instantiate(): LiveInstance {
  // WASI needs the memory, which exists only once the instance does.
  const bound: { memory?: WebAssembly.Memory } = {};
  const wasi = createWasi(
    () => bound.memory as WebAssembly.Memory,
    (stream, line) => log(stream === "stderr" ? "warn" : "info", `${stream}: ${line}`),
  );
  flushOutput = wasi.flush;
  const instance = new WebAssembly.Instance(init.module, {
    env: { call_backend: callBackend, host_log: hostLog },
    wasi_snapshot_preview1: wasi.imports,
  });
  const exports = instance.exports;
  const memory =
    (exports.memory instanceof WebAssembly.Memory ? exports.memory : undefined) ??
    Object.values(exports).find((value): value is WebAssembly.Memory => value instanceof WebAssembly.Memory);
  if (!memory) throw new Error("WASM module has no memory");
  bound.memory = memory;
  const functions = Object.fromEntries(GUARD_FUNCTIONS.map((name) => [name, exports[name]])) as LiveInstance["functions"];
  const { alloc, dealloc } = exports;
  return {
    name: init.name,
    memory,
    functions,
    ...(typeof alloc === "function" && typeof dealloc === "function"
      ? { allocator: { alloc: alloc as (...args: number[]) => unknown, dealloc: dealloc as (...args: number[]) => unknown } }
      : {}),
    log,
    warnedDirectFallback: false,
  };
}

function runCall(func: GuardFunction, input: Uint8Array): void {
  backendCalls = 0;
  try {
    const output = invokeGuardFunction(live as LiveInstance, func, input);
    flushOutput();
    if (output.length <= callData.length) {
      callData.set(output);
      callSlots[SLOT_OUTPUT_LENGTH] = output.length;
      flushLog(output.length);
    } else {
      flushLog(0);
      respond({ kind: "result", output }, [output.buffer as ArrayBuffer]);
    }
  } catch (error) {
    flushOutput();
    flushLog(0);
    const failure = error instanceof CallFailure ? error : new CallFailure("trap", String(error));
    respond({ kind: "failure", failure: failure.failure, message: failure.message });
    // A crashed or exited instance may hold half-updated state: start over from the module.
    if (failure.failure !== "error" && !startInstance()) {
      // Without an instance this worker is useless; exiting tells the host to replace it.
      process.exit(1);
    }
  }
}

function startInstance(): boolean {
  try {
    live = instantiate();
    return true;
  } catch (error) {
    send({ kind: "init-failed", message: errorText(error) });
    return false;
  }
}

/**
 * Sleeps until the host requests a call. (Polling for a while first would spare the host the
 * futex wake-up, but on a busy machine the polling thread takes the CPU the host needs.)
 */
function awaitCall(): void {
  for (let state = Atomics.load(callSlots, SLOT_STATE); state !== CALL_REQUESTED; state = Atomics.load(callSlots, SLOT_STATE)) {
    Atomics.wait(callSlots, SLOT_STATE, state);
  }
}

/** Serves calls for the rest of the worker's life; the host ends it with terminate(). */
function serve(): never {
  for (;;) {
    awaitCall();
    callSlots[SLOT_OUTPUT_LENGTH] = VIA_PORT;
    callSlots[SLOT_LOG_LENGTH] = 0;
    portMessages = 0;
    const inputLength = callSlots[SLOT_INPUT_LENGTH] as number;
    if (inputLength === VIA_PORT) {
      const request = receiveMessageOnPort(init.callPort)?.message as CallRequest | undefined;
      if (request) {
        runCall(request.func, request.input);
        // The input (up to the 8 MiB cap) is in the guard's memory and done with: freed now, since
        // this loop never yields to the event loop and the collector may not come for a long while.
        if (request.input.buffer instanceof ArrayBuffer) request.input.buffer.transfer(0);
      }
    } else {
      // The host leaves callData alone until the answer, so the guard can read it in place.
      runCall(GUARD_FUNCTIONS[callSlots[SLOT_FUNCTION] as number] as GuardFunction, callData.subarray(0, inputLength));
    }
    callSlots[SLOT_PORT_MESSAGES] = portMessages;
    Atomics.store(callSlots, SLOT_STATE, CALL_ANSWERED);
    Atomics.notify(callSlots, SLOT_STATE);
  }
}

host.once("message", (message: HostToWorker) => {
  init = message.init;
  callSlots = new Int32Array(init.callSlots);
  callData = new Uint8Array(init.callData);
  backendFlag = new Int32Array(init.backendFlag);
  if (!startInstance()) return;
  send({ kind: "ready" });
  serve();
});
send({ kind: "booted" });
