// The gateway's steps and events as the reference's spans (gateway.md §8), with the attributes the
// MCP Gateway Specification asks of a tool call (mcp.server, mcp.method, mcp.tool,
// http.status_code) and the DIFC ones a person filters on. The agent appears only as the 16-hex
// digest the steps carry, never as its credential. Spans go to a collector the agent's readers
// may not be cleared for, as the log files do: a tool or method name the agent made up (which a
// tainted agent can spell a secret in) is exported as "other", as the metrics count it.
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_URL_PATH } from "@opentelemetry/semantic-conventions";
import {
  OTHER,
  shownMethod,
  shownTool,
  stringOrUndefined,
  type ObservedAttributes,
  type ObservedEvent,
  type Observer,
  type StepHandle,
  type StepName,
} from "../../shared/index.ts";
import type { SpanHandle, SpanRole, Tracing } from "./tracing.ts";

/** The tools a server's backend listed (after its allow-list); undefined for a server not discovered yet. */
export type ListedTools = (serverId: string) => readonly { name: string }[] | undefined;

/** Turns the names an agent chose into what a span may carry. */
class ShownNames {
  readonly #listed: ListedTools;

  constructor(listed: ListedTools) {
    this.#listed = listed;
  }

  /** A tool the server's backend listed as it is; anything else "other"; undefined when no tool was named. */
  tool(server: unknown, value: unknown): string | undefined {
    if (value === undefined) return undefined;
    return shownTool(typeof server === "string" ? this.#listed(server) : undefined, value);
  }

  /** A name that is a tool's on tools/call and the method's otherwise (a guard call's, a DIFC decision's). */
  methodOrTool(server: unknown, value: unknown): string {
    const method = shownMethod(value);
    return method === OTHER ? (this.tool(server, value) ?? OTHER) : method;
  }
}

interface SpanShape {
  name: string;
  role: SpanRole;
  attributes: ObservedAttributes;
}

/** The reference's gen_ai attributes of a tool call, naming the backend as the agent being called. */
function genAi(attributes: ObservedAttributes, tool: string | undefined): ObservedAttributes {
  return {
    "gen_ai.system": "mcp",
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.agent.name": "mcp-gateway",
    "gen_ai.agent.id": attributes["server"],
    "gen_ai.tool.name": tool,
  };
}

function callAttributes(attributes: ObservedAttributes, tool: string | undefined): ObservedAttributes {
  return {
    "mcp.server": attributes["server"],
    "mcp.method": shownMethod(attributes["method"]),
    "mcp.tool": tool,
    "agent.digest": attributes["agent"],
  };
}

function shapeOf(name: StepName, attributes: ObservedAttributes, names: ShownNames): SpanShape {
  const tool = () => names.tool(attributes["server"], attributes["tool"]);
  switch (name) {
    case "http.request":
      return {
        name: "gateway.request",
        role: "server",
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: attributes["method"],
          [ATTR_URL_PATH]: attributes["path"],
          "gateway.tag": attributes["route"],
          "gen_ai.conversation.id": attributes["session"],
        },
      };
    case "mcp.call": {
      const shown = tool();
      return attributes["method"] === "tools/call"
        ? { name: "mcp.tool_call", role: "internal", attributes: { ...genAi(attributes, shown), ...callAttributes(attributes, shown) } }
        : { name: shownMethod(attributes["method"]), role: "internal", attributes: callAttributes(attributes, shown) };
    }
    case "backend.call": {
      const shown = tool();
      return {
        name: "gateway.backend.execute",
        role: "client",
        attributes: { "gen_ai.agent.id": attributes["server"], "gen_ai.tool.name": shown, ...callAttributes(attributes, shown) },
      };
    }
    case "guard.call":
      return {
        name: `guard.${String(attributes["function"])}`,
        role: "internal",
        attributes: {
          "mcp.server": attributes["server"],
          "mcp.tool": names.methodOrTool(attributes["server"], attributes["tool"]),
          "guard.name": attributes["guard"],
        },
      };
  }
}

/** What a step learns later, as span attributes; a failed call or a 5xx answer fails the span. */
function applyLater(name: StepName, span: SpanHandle, more: ObservedAttributes): void {
  if (name === "http.request") {
    const status = more["status"];
    span.set({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: status });
    if (typeof status === "number" && status >= 500) span.fail(`HTTP ${status}`);
    return;
  }
  const status = more["status"];
  span.set({
    "mcp.outcome": more["outcome"],
    "rpc.error_code": more["rpc.error_code"],
    ...(status !== undefined && name === "mcp.call" ? { "http.status_code": status, "mcp.response.status": status, "rate_limit.hit": status === 429 } : {}),
  });
}

/** An Observer that reports to `tracing` as spans; `listed` tells which tool names are the backends' own. */
export function spanObserver(tracing: Tracing, listed: ListedTools): Observer {
  const names = new ShownNames(listed);
  return {
    step(name, attributes, work) {
      const shape = shapeOf(name, attributes, names);
      const incoming = name === "http.request" ? { traceparent: stringOrUndefined(attributes["traceparent"]) } : undefined;
      return tracing.span(
        shape.name,
        shape.role,
        shape.attributes,
        (span) => {
          const handle: StepHandle = { set: (more) => applyLater(name, span, more) };
          return work(handle);
        },
        incoming,
      );
    },
    event(event) {
      report(tracing, event, names);
    },
  };
}

function report(tracing: Tracing, event: ObservedEvent, names: ShownNames): void {
  switch (event.kind) {
    case "decision":
      if (event.decision === "denied") tracing.event("difc.access_denied", { reason: event.reason ?? "" });
      tracing.mark("difc.decision", {
        "mcp.server": event.server,
        "mcp.tool": names.methodOrTool(event.server, event.tool),
        "mcp.method": names.methodOrTool(event.server, event.method),
        "agent.digest": event.agent,
        "difc.mode": event.mode,
        "difc.decision": event.decision,
        "difc.phase": event.phase,
        "difc.reason": event.reason,
        "difc.filtered_items": event.filtered,
      });
      return;
    case "guard":
      tracing.event(`guard.${event.what}`, { "mcp.server": event.server, "guard.function": event.function, reason: event.reason });
      return;
    case "backend":
      tracing.event(`backend.${event.what}`, { "mcp.server": event.server, reason: event.reason });
      return;
  }
}
