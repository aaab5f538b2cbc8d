// Messages between the guard host (main thread) and a guard worker.
import type { MessagePort } from "node:worker_threads";
import type { GuardFunction } from "../abi.ts";
import type { LogLevel } from "../../log/types.ts";

export interface WorkerInit {
  name: string;
  module: WebAssembly.Module;
  /** Int32Array over this: [0] is set to 1 by the host when a call_backend reply is ready. */
  backendFlag: SharedArrayBuffer;
  backendPort: MessagePort;
}

export type HostToWorker = { kind: "call"; id: number; func: GuardFunction; input: Uint8Array };

/** How a call ended inside the worker. "exit" is proc_exit(0): not a crash, but the instance is spent. */
export type CallFailureKind = "error" | "trap" | "exit";

export type WorkerToHost =
  | { kind: "ready" }
  | { kind: "init-failed"; message: string }
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
