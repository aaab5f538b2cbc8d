// Messages between the guard host (main thread) and a guard worker.
import type { MessagePort } from "node:worker_threads";
import type { GuardFunction } from "../abi.ts";
import type { LogLevel } from "../../log/types.ts";

export interface WorkerInit {
  name: string;
  module: WebAssembly.Module;
  /**
   * Calls: the host posts a CallRequest on callPort and sets callFlag[0] to CALL_REQUESTED; the
   * worker, parked in Atomics.wait, takes it with receiveMessageOnPort, posts its log lines and
   * its CallResponse on the same port, then sets CALL_ANSWERED. Neither side goes through its
   * event loop to wake the other, which is what makes a call cost microseconds.
   */
  callFlag: SharedArrayBuffer;
  callPort: MessagePort;
  /** call_backend: the worker posts a BackendRequest and waits until backendFlag[0] is 1. */
  backendFlag: SharedArrayBuffer;
  backendPort: MessagePort;
}

export const CALL_IDLE = 0;
export const CALL_REQUESTED = 1;
export const CALL_ANSWERED = 2;

export type HostToWorker = { kind: "init"; init: WorkerInit };

export interface CallRequest {
  id: number;
  func: GuardFunction;
  input: Uint8Array;
}

/** How a call ended inside the worker. "exit" is proc_exit(0): not a crash, but the instance is spent. */
export type CallFailureKind = "error" | "trap" | "exit";

/** On the worker's parentPort, while it starts. */
export type WorkerToHost = { kind: "booted" } | { kind: "ready" } | { kind: "init-failed"; message: string };

/** On callPort, in order: the log lines of a call, then its outcome. */
export type CallResponse =
  | { kind: "log"; level: LogLevel; message: string }
  | { kind: "result"; id: number; output: Uint8Array }
  | { kind: "failure"; id: number; failure: CallFailureKind; message: string };

/** Sent by the worker on backendPort; it then blocks until the host answers on the same port. */
export interface BackendRequest {
  toolName: string;
  args: unknown;
}

/** The result JSON (already encoded) or an error the guard will see as −1. */
export type BackendReply = { ok: true; json: Uint8Array } | { ok: false; message: string };
