// A guard whose every function call is a step the operator sees (a span, a latency sample) and
// whose failures are guard events: the guard host itself stays unaware of who watches it.
import { GuardError, type Guard } from "../guard/index.ts";
import type { Observer } from "../shared/index.ts";

export function observedGuard(guard: Guard, server: string, observer: Observer): Guard {
  // Set by a failure; the next call that succeeds is the guard's recovery.
  let failing = false;
  const observe = <T>(fn: string, tool: string | undefined, work: () => Promise<T>): Promise<T> =>
    observer.step("guard.call", { server, function: fn, guard: guard.name, ...(tool !== undefined ? { tool } : {}) }, () =>
      work().then(
        (result) => {
          if (failing) {
            failing = false;
            observer.event({ kind: "guard", server, what: "recovered", function: fn });
          }
          return result;
        },
        (error: unknown) => {
          failing = true;
          // The kind of failure (trap, timeout, error …), never the message: a guard's text may quote the
          // call's arguments, and traces leave the machine.
          observer.event({ kind: "guard", server, what: "failed", function: fn, reason: error instanceof GuardError ? error.kind : "error" });
          throw error;
        },
      ),
    );
  return {
    name: guard.name,
    labelAgent: (policy, options) => observe("label_agent", undefined, () => guard.labelAgent(policy, options)),
    labelResource: (toolName, toolArgs, options) => observe("label_resource", toolName, () => guard.labelResource(toolName, toolArgs, options)),
    labelResponse: (toolName, toolResult, toolArgs, options) =>
      observe("label_response", toolName, () => guard.labelResponse(toolName, toolResult, toolArgs, options)),
    status: () => guard.status(),
    close: (signal) => guard.close(signal),
  };
}
