// Errors of the guard host. A GuardError names the guard and the function so a log line or a
// tool error says which guard failed and where; `kind` tells the pool what to do next.

/**
 * - "load": the module cannot be used at all.
 * - "error": the call failed but the instance is fine (a negative return code, bad output).
 * - "trap": the guard crashed (trap, stack overflow, proc_exit ≠ 0); its instance is replaced.
 * - "timeout": the deadline passed; the worker running it is terminated and replaced.
 * - "cancelled": the caller aborted; the instance finishes or is stopped at the deadline.
 * - "unavailable": the guard is closed or backing off after repeated failures.
 */
export type GuardErrorKind = "load" | "error" | "trap" | "timeout" | "cancelled" | "unavailable";

export class GuardError extends Error {
  readonly guard: string;
  readonly kind: GuardErrorKind;
  constructor(guard: string, kind: GuardErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GuardError";
    this.guard = guard;
    this.kind = kind;
  }
}
