// AgentSession.onToolCall registers its tools/call handler with Protocol.prototype.setRequestHandler,
// past the SDK Server's own override, which parses the request a second time and re-validates the
// result. These cases fail if an SDK upgrade moves that validation where the bypass cannot skip it,
// or changes what the bypass calls: a result must reach the client exactly as the handler returned it.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { ResultSchema, type Result } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { SharedBackendSessions } from "../../src/backends/index.ts";
import { AgentSession } from "../../src/gateway/sessions/agent-session.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((side) => side.close()));
});

/** A session whose tools/call handler answers `result`, and an SDK client connected to it in memory. */
async function sessionAnswering(result: Result): Promise<Client> {
  const env = { backends: new Map(), backendSessions: new SharedBackendSessions(1), forward: async () => ({}), logger: new RecordingLogger(), version: "test" };
  const session = new AgentSession("bypass", { tools: {} }, { credential: "credential", agent: "agent" }, env);
  session.onToolCall(async () => result);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await session.server.connect(serverSide);
  const client = new Client({ name: "bypass-test", version: "1.0.0" });
  await client.connect(clientSide);
  opened.push(client, session.server);
  return client;
}

describe("the tools/call handler registered past the SDK Server's validation", () => {
  it.each([
    // The Server's wrapper would add the schema's default `content: []`.
    ["a result without content", { structuredContent: { value: 1 } }],
    // The Server's wrapper would answer -32602 "Invalid tools/call result".
    ["a content item of a type this SDK does not know", { content: [{ type: "hologram", frames: 3 }] }],
  ])("hands %s to the client unchanged", async (_name, result) => {
    const client = await sessionAnswering(result as Result);
    // A raw request with the loosest result schema, so the client itself changes nothing either.
    const received = await client.request({ method: "tools/call", params: { name: "any", arguments: {} } }, ResultSchema);
    expect(received).toEqual(result);
  });

  it("answers malformed params with -32602 and the first problem, not the SDK's -32603 and zod dump", async () => {
    const client = await sessionAnswering({ content: [] });
    const error = await client.request({ method: "tools/call", params: { arguments: {} } }, ResultSchema).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: -32602 });
    expect((error as Error).message).toContain("Invalid params for tools/call: params.name:");
  });
});
