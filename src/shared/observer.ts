// The port through which every layer reports what it does, for the operator's eyes: traces,
// metrics and the live view each implement it (src/telemetry), and the layers below only call it.
// It lives here because src/enforce, src/guard, src/backends and src/gateway all report through it
// and none of them may import the rooms above them. The default reports nothing and costs one
// closure call per step, so a gateway with tracing, metrics and the live view all off runs as fast
// as one that never heard of them.

/** A timed piece of work, nested in the step running when it starts. */
export type StepName =
  /**
   * One HTTP request on the gateway's listener (the reference's `gateway.request` span). Attributes:
   * method, path, route (`unified` or `routed:<server>` on MCP routes), session (the Mcp-Session-Id's
   * first 8 characters), traceparent (the caller's W3C trace context, for a trace to
   * join); set later: status (the HTTP status answered).
   */
  | "http.request"
  /**
   * One request forwarded to a backend through the forward chain, with all its checks (`mcp.tool_call`
   * for tools/call). Attributes: server, method, agent (digest), tool; set later: outcome,
   * rpc.error_code, status (the reference's HTTP-like status of the call: 200, 403, 429 or 500).
   */
  | "mcp.call"
  /** The backend's part of a forwarded call: from the request written to the answer read (`gateway.backend.execute`). */
  | "backend.call"
  /** One guard function: label_agent, label_resource or label_response. */
  | "guard.call";

/** Attribute values a step or event carries: flat, so every exporter can take them as they are. */
export type ObservedAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** What a running step can add once it knows more (a decision, a status, how many items were filtered). */
export interface StepHandle {
  set(attributes: ObservedAttributes): void;
}

/** A DIFC decision on one call; `agent` is the credential's digest, never the credential. */
export interface DecisionEvent {
  kind: "decision";
  server: string;
  agent: string;
  /** The tool for tools/call; the method otherwise. */
  tool: string;
  method: string;
  mode: string;
  decision: "allowed" | "denied" | "filtered";
  /** Which check decided: before the backend (coarse), on its answer (response), or a write check alone. */
  phase: "coarse" | "response" | "write";
  /** Why it was denied or filtered, with anything a tainted agent chose marked out as the logs do. */
  reason?: string;
  /** How many items of the answer were filtered out. */
  filtered?: number;
}

/** A guard that failed to answer (the call failed closed), or a guard worker that came back. */
export interface GuardEvent {
  kind: "guard";
  server: string;
  what: "failed" | "recovered";
  /** The guard function: label_agent, label_resource or label_response. */
  function?: string;
  /** The kind of failure (trap, timeout, error, …); never the guard's own text, which may quote the call's arguments. */
  reason?: string;
}

/** A backend process or connection: started, lost, started again by the health monitor, or failed to start. */
export interface BackendEvent {
  kind: "backend";
  server: string;
  what: "launched" | "crashed" | "restarted" | "failed";
  reason?: string;
}

export type ObservedEvent = DecisionEvent | GuardEvent | BackendEvent;

export interface Observer {
  /**
   * Runs `work` as a step: timed, nested in the step running when it starts, and failed when
   * `work` throws (the error is passed on unchanged). The observer never changes what `work` returns.
   */
  step<T>(name: StepName, attributes: ObservedAttributes, work: (step: StepHandle) => Promise<T>): Promise<T>;
  /** Something that happened, recorded in the step running now (if any) as well. */
  event(event: ObservedEvent): void;
}

const silentStep: StepHandle = { set: () => undefined };

/** Reports nothing: the default wherever no observer is passed in. */
export const quietObserver: Observer = {
  step: (_name, _attributes, work) => work(silentStep),
  event: () => undefined,
};

/** An observer of events alone (the live view): its steps are the quiet ones, so no layer wraps its work for it. */
export function eventObserver(event: (event: ObservedEvent) => void): Observer {
  return { step: quietObserver.step, event };
}

/** Whether `observer` does anything with steps; when not, the layers run their work unwrapped, as with no observer at all. */
export function observesSteps(observer: Observer): boolean {
  return observer.step !== quietObserver.step;
}

/** One observer that reports to all of `observers`: the first one's step is the outermost; observers of events alone take no part in steps. */
export function combineObservers(observers: readonly Observer[]): Observer {
  if (observers.length === 0) return quietObserver;
  if (observers.length === 1) return observers[0]!;
  const stepping = observers.filter(observesSteps);
  return {
    step:
      stepping.length === 0
        ? quietObserver.step
        : <T>(name: StepName, attributes: ObservedAttributes, work: (step: StepHandle) => Promise<T>): Promise<T> => {
            const run = (index: number, handles: readonly StepHandle[]): Promise<T> =>
              index === stepping.length
                ? work({ set: (more) => handles.forEach((handle) => handle.set(more)) })
                : stepping[index]!.step(name, attributes, (handle) => run(index + 1, [...handles, handle]));
            return run(0, []);
          },
    event(event) {
      for (const observer of observers) observer.event(event);
    },
  };
}
