// The gateway's steps and events as the reference's spans (gateway.md §8), with the attributes the
// MCP Gateway Specification asks of a tool call (mcp.server, mcp.method, mcp.tool,
// http.status_code) and the DIFC ones a person filters on. The agent appears only as the 16-hex
// digest the steps carry, never as its credential.
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_URL_PATH } from "@opentelemetry/semantic-conventions";
import type { ObservedAttributes, ObservedEvent, Observer, StepHandle, StepName } from "../../shared/index.ts";
import type { SpanHandle, SpanRole, Tracing } from "./tracing.ts";

interface SpanShape {
  name: string;
  role: SpanRole;
  attributes: ObservedAttributes;
}

/** The reference's gen_ai attributes of a tool call, naming the backend as the agent being called. */
function genAi(attributes: ObservedAttributes): ObservedAttributes {
  return {
    "gen_ai.system": "mcp",
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.agent.name": "mcp-gateway",
    "gen_ai.agent.id": attributes["server"],
    "gen_ai.tool.name": attributes["tool"],
  };
}

function callAttributes(attributes: ObservedAttributes): ObservedAttributes {
  return {
    "mcp.server": attributes["server"],
    "mcp.method": attributes["method"],
    "mcp.tool": attributes["tool"],
    "agent.digest": attributes["agent"],
  };
}

function shapeOf(name: StepName, attributes: ObservedAttributes): SpanShape {
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
    case "mcp.call":
      return attributes["method"] === "tools/call"
        ? { name: "mcp.tool_call", role: "internal", attributes: { ...genAi(attributes), ...callAttributes(attributes) } }
        : { name: String(attributes["method"]), role: "internal", attributes: callAttributes(attributes) };
    case "backend.call":
      return {
        name: "gateway.backend.execute",
        role: "client",
        attributes: { "gen_ai.agent.id": attributes["server"], "gen_ai.tool.name": attributes["tool"], ...callAttributes(attributes) },
      };
    case "guard.call":
      return {
        name: `guard.${String(attributes["function"])}`,
        role: "internal",
        attributes: { "mcp.server": attributes["server"], "mcp.tool": attributes["tool"], "guard.name": attributes["guard"] },
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

/** An Observer that reports to `tracing` as spans. */
export function spanObserver(tracing: Tracing): Observer {
  return {
    step(name, attributes, work) {
      const shape = shapeOf(name, attributes);
      const incoming = name === "http.request" ? { traceparent: str(attributes["traceparent"]), tracestate: str(attributes["tracestate"]) } : undefined;
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
      report(tracing, event);
    },
  };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function report(tracing: Tracing, event: ObservedEvent): void {
  switch (event.kind) {
    case "decision":
      if (event.decision === "denied") tracing.event("difc.access_denied", { reason: event.reason ?? "" });
      tracing.mark("difc.decision", {
        "mcp.server": event.server,
        "mcp.tool": event.tool,
        "mcp.method": event.method,
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
