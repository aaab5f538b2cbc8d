// Attack: an agent that read a secret (allowed in propagate mode) sends it in the W3C `tracestate`
// header of its next request. The gateway joined the caller's trace with its tracestate, and every
// span of that trace carried the text to the OpenTelemetry collector, whose readers may not be
// cleared for it. The trace is still joined (traceparent), but the tracestate is not taken.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoGateway } from "../../demo/attack.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.ts";

// The demo's fake API key, in demo/workspace/private/api-keys.txt.
const SECRET = "demo-sk-4f8a1c2e9b7d";
const CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c";

let receiver: OtlpReceiver;
let spans: ReceivedSpan[];

beforeAll(async () => {
  receiver = await startOtlpReceiver({ plain: true });
  const demo = await startDemoGateway("propagate", await mkdtemp(join(tmpdir(), "flowgate-tracestate-")), {
    opentelemetry: { endpoint: receiver.url, serviceName: "flowgate-test" },
  });
  const files = await demo.connect("files");
  const read = await files.callTool({ name: "read_text_file", arguments: { path: join(demo.workspace, "private/api-keys.txt") } });
  expect(JSON.stringify(read.content)).toContain(SECRET);
  await files.close();
  const answer = await fetch(`${demo.base}/mcp/memory`, {
    method: "POST",
    headers: {
      Authorization: demo.agentId,
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      traceparent: `00-${CALLER_TRACE}-b7ad6b7169203331-01`,
      tracestate: `leak=${SECRET}`,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "read_graph", arguments: {} } }),
  });
  await answer.text();
  await demo.close();
  spans = await receiver.waitFor((received) => received.some((span) => span.name === "gateway.lifetime"));
});

afterAll(async () => {
  await receiver?.close();
});

describe("a secret smuggled in the tracestate header", () => {
  it("reaches no export the collector received", () => {
    for (const request of receiver.requests) expect(request.body).not.toContain(SECRET);
  });

  it("the request's span still joins the caller's trace", () => {
    const joined = spans.find((span) => span.name === "gateway.request" && span.traceId === CALLER_TRACE);
    expect(joined?.parentSpanId).toBe("b7ad6b7169203331");
  });
});
