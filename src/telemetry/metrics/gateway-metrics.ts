// The gateway's Prometheus metrics: an Observer that turns the steps and events every layer
// reports into counters and histograms, in a registry of its own (several gateways share one
// process in the tests, and nothing else in the process should land on the scrape). Labels are
// bounded by what the operator configured: server ids from the configuration, methods from MCP,
// tool names from what the backend listed. An agent's made-up tool name, its credential and its
// digest never become a label: each would be a new series per value, and the digest would let
// anyone who can scrape follow one agent.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import {
  OTHER,
  shownMethod,
  shownTool,
  type ObservedAttributes,
  type ObservedEvent,
  type Observer,
  type StepHandle,
  type StepName,
} from "../../shared/index.ts";

/** What the gauges read when scraped, and the tools that bound the tool label; the composition root supplies them once it has them. */
export interface MetricsSources {
  /** The tools a server's backend listed (after its allow-list), undefined for a server not discovered. */
  tools(serverId: string): readonly { name: string }[] | undefined;
  /** MCP sessions open on the gateway's listener now. */
  liveSessions(): number;
  /** Agents the DIFC state knows (each credential that has made a call). */
  agents(): Promise<number>;
}

/** What the forward chain sets as a call's outcome (src/gateway/forward/observe.ts). */
const OUTCOMES: ReadonlySet<string> = new Set(["ok", "tool_error", "error"]);

/** From a tenth of a millisecond (a guard call, a rejected request) to half a minute (a slow tool). */
const SECONDS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const STEP_HISTOGRAMS = {
  "mcp.call": { name: "flowgate_mcp_call_duration_seconds", help: "Time of forwarded MCP requests, every check included", labels: ["server", "method"] },
  "backend.call": { name: "flowgate_backend_call_duration_seconds", help: "Time the backend took to answer a forwarded request", labels: ["server", "method"] },
  "guard.call": { name: "flowgate_guard_call_duration_seconds", help: "Time of guard function calls", labels: ["server", "function"] },
} as const;

type TimedStep = keyof typeof STEP_HISTOGRAMS;

export class GatewayMetrics implements Observer {
  readonly registry = new Registry();
  readonly #serverIds: ReadonlySet<string>;
  #sources: MetricsSources | undefined;
  /** Each listed-tools array's names as a set, rebuilt when a relaunch replaces the array. */

  readonly #requests: Counter<"server" | "method" | "tool" | "outcome">;
  readonly #durations: { [step in TimedStep]: Histogram<string> };
  readonly #denials: Counter<"server" | "reason" | "phase">;
  readonly #filteredItems: Counter<"server" | "reason">;
  readonly #guardFailures: Counter<"server" | "function">;
  readonly #guardRecoveries: Counter<"server">;
  readonly #backendEvents: { [what in "launched" | "crashed" | "restarted" | "failed"]: Counter<"server"> };

  constructor(serverIds: Iterable<string>) {
    this.#serverIds = new Set(serverIds);
    const registers = [this.registry];
    this.#requests = new Counter({
      name: "flowgate_mcp_requests_total",
      help: "Forwarded MCP requests by outcome: ok, tool_error (the tool answered isError) or error (a JSON-RPC error, the gateway's or the backend's)",
      labelNames: ["server", "method", "tool", "outcome"],
      registers,
    });
    this.#durations = {
      "mcp.call": this.#histogram("mcp.call"),
      "backend.call": this.#histogram("backend.call"),
      "guard.call": this.#histogram("guard.call"),
    };
    this.#denials = new Counter({
      name: "flowgate_difc_denials_total",
      help: "Calls refused by DIFC, by server, reason (secrecy, integrity, tool-call budget, unlabelled response) and the check that refused",
      labelNames: ["server", "reason", "phase"],
      registers,
    });
    this.#filteredItems = new Counter({
      name: "flowgate_difc_filtered_items_total",
      help: "Items DIFC removed from backend answers, by server and reason",
      labelNames: ["server", "reason"],
      registers,
    });
    this.#guardFailures = new Counter({
      name: "flowgate_guard_failures_total",
      help: "Guard function calls that failed (the call failed closed)",
      labelNames: ["server", "function"],
      registers,
    });
    this.#guardRecoveries = new Counter({
      name: "flowgate_guard_recoveries_total",
      help: "First successful guard calls after a failure",
      labelNames: ["server"],
      registers,
    });
    const backendCounter = (name: string, help: string) => new Counter({ name, help, labelNames: ["server"], registers });
    this.#backendEvents = {
      launched: backendCounter("flowgate_backend_launches_total", "Backend connections (a process, for stdio servers) started"),
      restarted: backendCounter("flowgate_backend_restarts_total", "Backend connections started again after a failure"),
      crashed: backendCounter("flowgate_backend_crashes_total", "Backend connections lost: the process exited or the server went away"),
      failed: backendCounter("flowgate_backend_launch_failures_total", "Backend launches or tool discoveries that failed"),
    };
    const sources = () => this.#sources;
    new Gauge({
      name: "flowgate_mcp_sessions",
      help: "MCP sessions open on the gateway",
      registers,
      collect() {
        this.set(sources()?.liveSessions() ?? 0);
      },
    });
    new Gauge({
      name: "flowgate_agents",
      help: "Agents the DIFC state holds labels for",
      registers,
      async collect() {
        // A state store that cannot answer leaves the gauge unknown rather than failing the whole scrape.
        this.set(await (sources()?.agents() ?? Promise.resolve(0)).catch(() => Number.NaN));
      },
    });
  }

  /** Gives the gauges and the tool label what they read; until then the gauges read 0 and every tool is "other". */
  attach(sources: MetricsSources): void {
    this.#sources = sources;
  }

  /** The Prometheus text exposition of every metric. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async step<T>(name: StepName, attributes: ObservedAttributes, work: (step: StepHandle) => Promise<T>): Promise<T> {
    if (name === "http.request") return work({ set: () => undefined });
    const seen: Record<string, ObservedAttributes[string]> = { ...attributes };
    const started = performance.now();
    let failed = true;
    try {
      const result = await work({ set: (more) => Object.assign(seen, more) });
      failed = false;
      return result;
    } finally {
      this.#record(name, seen, failed, (performance.now() - started) / 1000);
    }
  }

  event(event: ObservedEvent): void {
    const server = this.#server(event.server);
    switch (event.kind) {
      case "decision":
        if (event.decision === "denied") this.#denials.inc({ server, reason: event.reason ?? OTHER, phase: event.phase });
        if (event.filtered) this.#filteredItems.inc({ server, reason: event.reason ?? OTHER }, event.filtered);
        return;
      case "guard":
        if (event.what === "failed") this.#guardFailures.inc({ server, function: event.function ?? OTHER });
        else this.#guardRecoveries.inc({ server });
        return;
      case "backend":
        this.#backendEvents[event.what].inc({ server });
        return;
    }
  }

  #histogram(step: TimedStep): Histogram<string> {
    const { name, help, labels } = STEP_HISTOGRAMS[step];
    return new Histogram({ name, help, labelNames: labels, buckets: SECONDS_BUCKETS, registers: [this.registry] });
  }

  #record(name: TimedStep, attributes: ObservedAttributes, failed: boolean, seconds: number): void {
    const server = this.#server(attributes["server"]);
    if (name === "guard.call") {
      const fn = attributes["function"];
      this.#durations[name].observe({ server, function: typeof fn === "string" ? fn : OTHER }, seconds);
      return;
    }
    const method = shownMethod(attributes["method"]);
    this.#durations[name].observe({ server, method }, seconds);
    if (name === "mcp.call") {
      const outcome = typeof attributes["outcome"] === "string" && OUTCOMES.has(attributes["outcome"]) ? attributes["outcome"] : failed ? "error" : "ok";
      this.#requests.inc({ server, method, tool: this.#tool(server, attributes["tool"]), outcome });
    }
  }

  #server(value: unknown): string {
    return typeof value === "string" && this.#serverIds.has(value) ? value : OTHER;
  }

  /** The tool's name if the backend listed it; "" for a request that names no tool. */
  #tool(server: string, value: unknown): string {
    return value === undefined ? "" : shownTool(this.#sources?.tools(server), value);
  }
}
