// Attack: an agent that read a secret (allowed in propagate mode) spells it out where the gateway
// traces it rather than where it is sent: as the name of a tool the sink refuses, as a method name,
// or in the path or session id of a request. Spans go to an OpenTelemetry collector that the agent's readers may
// not be cleared for, as the log files do; no span, attribute or event sent there may hold the secret.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoGateway, type DemoGateway } from "../../demo/attack.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.ts";

// The demo's fake API key, in demo/workspace/private/api-keys.txt.
const SECRET = "demo-sk-4f8a1c2e9b7d";

interface Attack {
  name: string;
  send: (clients: Record<"files" | "memory", Client>, demo: DemoGateway) => Promise<unknown>;
}

const ATTACKS: Attack[] = [
  { name: "a refused tool named after the secret", send: ({ memory }) => memory.callTool({ name: SECRET, arguments: {} }) },
  { name: "a refused method named after the secret", send: ({ memory }) => memory.request({ method: `x/${SECRET}`, params: {} }, ResultSchema) },
  {
    name: "a method named after the secret, to the server the secret came from",
    send: ({ files }) => files.request({ method: `x/${SECRET}`, params: {} }, ResultSchema),
  },
  {
    name: "a request to a path past the route that spells the secret",
    send: (_clients, demo) => fetch(`${demo.base}/mcp/memory/${SECRET}`, { method: "POST", headers: { Authorization: demo.agentId }, body: "{}" }),
  },
  {
    name: "a request in a session whose id spells the secret",
    send: (_clients, demo) =>
      fetch(`${demo.base}/mcp/memory`, { method: "POST", headers: { Authorization: demo.agentId, "Mcp-Session-Id": SECRET.slice(8) }, body: "{}" }),
  },
  {
    name: "a request to a server named after the secret",
    send: (_clients, demo) => fetch(`${demo.base}/mcp/${SECRET}`, { method: "POST", headers: { Authorization: demo.agentId }, body: "{}" }),
  },
];

let receiver: OtlpReceiver;
let spans: ReceivedSpan[];

beforeAll(async () => {
  receiver = await startOtlpReceiver({ plain: true });
  const demo = await startDemoGateway("propagate", await mkdtemp(join(tmpdir(), "flowgate-tainted-spans-")), {
    opentelemetry: { endpoint: receiver.url, serviceName: "flowgate-test" },
  });
  const clients = { files: await demo.connect("files"), memory: await demo.connect("memory") };
  const read = await clients.files.callTool({ name: "read_text_file", arguments: { path: join(demo.workspace, "private/api-keys.txt") } });
  expect(JSON.stringify(read.content)).toContain(SECRET);
  for (const attack of ATTACKS) await attack.send(clients, demo).catch(() => undefined);
  await Promise.all(Object.values(clients).map((client) => client.close()));
  // Shutdown ends the lifetime span and sends what is left.
  await demo.close();
  spans = await receiver.waitFor((received) => received.some((span) => span.name === "gateway.lifetime"));
});

afterAll(async () => {
  await receiver?.close();
});

describe("a tainted agent's own names in exported spans", () => {
  it("no span, attribute or event the collector received holds the secret", () => {
    expect(spans.length).toBeGreaterThan(ATTACKS.length);
    // A span may carry 8 characters of a session id: no piece of the secret that long may be there.
    const pieces = Array.from({ length: SECRET.length - 7 }, (_, start) => SECRET.slice(start, start + 8));
    for (const request of receiver.requests) for (const piece of pieces) expect(request.body).not.toContain(piece);
  });

  it("what the agent made up is traced as other", () => {
    // The operator still sees that an unlisted tool, method or path was used.
    const refusedTool = spans.find(
      (span) => span.name === "mcp.tool_call" && span.attributes["mcp.server"] === "memory" && span.attributes["mcp.tool"] === "other",
    );
    expect(refusedTool?.attributes).toMatchObject({ "gen_ai.tool.name": "other", "mcp.response.status": 403 });
    expect(
      spans
        .filter((span) => span.name === "other" && span.attributes["mcp.method"] === "other")
        .map((span) => span.attributes["mcp.server"])
        .sort(),
    ).toEqual(["files", "memory"]);
    const paths = spans
      .filter((span) => span.name === "gateway.request" && span.attributes["http.request.method"] === "POST")
      .map((span) => span.attributes["url.path"]);
    expect(paths).toContain("other");
    expect(paths).toContain("/mcp/memory");
  });

  it("a tool the backend listed is named as it is", () => {
    const read = spans.find((span) => span.name === "mcp.tool_call" && span.attributes["mcp.server"] === "files");
    expect(read?.attributes).toMatchObject({ "mcp.tool": "read_text_file", "gen_ai.tool.name": "read_text_file", "mcp.method": "tools/call" });
  });
});
