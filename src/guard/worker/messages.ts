// Messages between the guard host (main thread) and a guard worker.
import type { MessagePort } from "node:worker_threads";
import type { GuardFunction } from "../abi.ts";
import type { LogLevel } from "../../log/index.ts";

export interface WorkerInit {
  name: string;
  module: WebAssembly.Module;
  /**
   * Calls. The host puts the input in callData (or, if it is too big, posts a CallRequest on
   * callPort), fills the call slots and sets the state to CALL_REQUESTED. The worker, parked in
   * Atomics.wait, runs the call, puts the output in callData followed by the call's log lines
   * (or posts what does not fit, and a failure, on callPort), then sets CALL_ANSWERED. Neither
   * side goes through its event loop to wake the other, and small payloads are copied once
   * instead of cloned, which is what makes a call cost microseconds.
   */
  callSlots: SharedArrayBuffer;
  callData: SharedArrayBuffer;
  callPort: MessagePort;
  /**
   * call_backend: the worker puts the tool name and arguments, as the guard wrote them, in
   * callData right after the input (or posts a BackendRequest on backendPort if they do not fit
   * there), sets CALL_AWAITING_HOST (so a waiting host stops and serves the request) and waits
   * until backendFlag[0] is 1; the host puts the answer's JSON in the same place (or on
   * backendPort), then the worker sets CALL_REQUESTED again. Like a call, a call_backend
   * crosses without structured clones or message events in the common case.
   */
  backendFlag: SharedArrayBuffer;
  backendPort: MessagePort;
}

/** Int32 slots of callSlots. */
export const SLOT_STATE = 0;
export const SLOT_FUNCTION = 1;
export const SLOT_INPUT_LENGTH = 2;
export const SLOT_OUTPUT_LENGTH = 3;
/** Bytes of log records in callData right after the output (or at 0 if the output is on the port). */
export const SLOT_LOG_LENGTH = 4;
/** How many messages the worker posted on callPort for this call, so the host reads no more. */
export const SLOT_PORT_MESSAGES = 5;
/** call_backend's request: the tool name's length in bytes, or VIA_PORT, or NO_BACKEND_REQUEST once the host took it. */
export const SLOT_BACKEND_NAME_LENGTH = 6;
/** call_backend's request: the arguments' length in bytes (the guard's JSON text, unparsed). */
export const SLOT_BACKEND_ARGS_LENGTH = 7;
/** call_backend's answer: the JSON's length in bytes, or VIA_PORT, or BACKEND_FAILED. */
export const SLOT_BACKEND_ANSWER_LENGTH = 8;
export const CALL_SLOT_COUNT = 9;

/** A length slot holding this means "the data is on callPort" (for call_backend, backendPort). */
export const VIA_PORT = -1;

/** Where callData's next data starts after data whose length slot holds `length`: right after it, or at 0 when it went through the port. */
export function afterSlotData(length: number): number {
  return length === VIA_PORT ? 0 : length;
}
/** The host has taken the worker's call_backend request (or there is none). */
export const NO_BACKEND_REQUEST = -2;
/** The backend call failed or was refused: the guard gets −1. */
export const BACKEND_FAILED = -2;

export const CALL_IDLE = 0;
export const CALL_REQUESTED = 1;
export const CALL_ANSWERED = 2;
/** The guard is blocked in call_backend until the host answers (and sets CALL_REQUESTED again). */
export const CALL_AWAITING_HOST = 3;

export type HostToWorker = { kind: "init"; init: WorkerInit };

/** On callPort, only when the input does not fit in callData. */
export interface CallRequest {
  func: GuardFunction;
  input: Uint8Array;
}

/** How a call ended inside the worker. "exit" is proc_exit(0): not a crash, but the instance is spent. */
export type CallFailureKind = "error" | "trap" | "exit";

/** On the worker's parentPort, while it starts. */
export type WorkerToHost = { kind: "booted" } | { kind: "ready" } | { kind: "init-failed"; message: string };

export interface LogLine {
  level: LogLevel;
  message: string;
}

/** On callPort, in order: the log lines of a call (one message), then its outcome unless it is in callData. */
export type CallResponse =
  { kind: "logs"; lines: LogLine[] } | { kind: "result"; output: Uint8Array } | { kind: "failure"; failure: CallFailureKind; message: string };

/** On backendPort, only when the request does not fit in callData: the guard's bytes, decoded by the host. */
export interface BackendRequest {
  name: Uint8Array;
  args: Uint8Array;
}
