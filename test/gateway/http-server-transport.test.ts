import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpServerTransport } from "../../src/gateway/http/server-transport.ts";
import { connectAgent, gatewayConfig, runGateway, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

// The gateway's own streamable HTTP server transport, seen from the wire: raw fetch against the
// real gateway in front of server-everything, plus the SDK client where a round trip matters.
const AGENT_ID = "transport-agent";
const PROTOCOL = "2025-11-25";
let gateway: RunningGateway;
let url: string;
let sessionId: string;

const base = { Authorization: AGENT_ID, "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
const initialize = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
const echo = (id: number, message = "hi") => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "echo", arguments: { message } } });

function request(method: string, body: unknown, headers: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<Response> {
  const merged = Object.fromEntries(Object.entries({ ...base, "Mcp-Session-Id": sessionId, ...headers }).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const init: RequestInit = { method, headers: merged, ...(signal ? { signal } : {}) };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  return fetch(url, init);
}

async function openSession(capabilities: Record<string, unknown> = {}): Promise<string> {
  const response = await request("POST", { ...initialize, params: { ...initialize.params, capabilities } }, { "Mcp-Session-Id": undefined });
  await response.text();
  const id = response.headers.get("mcp-session-id");
  if (response.status !== 200 || id === null) throw new Error(`initialize answered ${response.status}`);
  const initialized = await request("POST", { jsonrpc: "2.0", method: "notifications/initialized" }, { "Mcp-Session-Id": id });
  await initialized.text();
  return id;
}

/** The JSON-RPC messages of an SSE body, in order. */
function events(body: string): Array<Record<string, unknown>> {
  return [...body.matchAll(/^data: (.*)$/gm)].map((match) => JSON.parse(match[1]!) as Record<string, unknown>);
}

beforeAll(async () => {
  gateway = await runGateway(gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT)], { agentId: AGENT_ID }));
  url = gateway.entry("everything").url;
  sessionId = await openSession();
  // The session's first call starts its backend, whose tools/list_changed rides that call's reply (as SSE).
  await (await request("POST", echo(0))).text();
});

afterAll(async () => {
  expect(await gateway.stop()).toBe(0);
});

describe("HTTP-level refusals", () => {
  it.each([
    ["a POST whose Accept lacks text/event-stream", 406, -32000, "POST", { Accept: "application/json" }, echo(1)],
    ["a POST whose Accept lacks application/json", 406, -32000, "POST", { Accept: "text/event-stream" }, echo(1)],
    ["a POST whose Accept refuses text/event-stream with q=0", 406, -32000, "POST", { Accept: "application/json, text/event-stream;q=0" }, echo(1)],
    ["a POST whose Content-Type is not JSON", 415, -32000, "POST", { "Content-Type": "text/plain; x=application/json" }, echo(1)],
    ["a body that is not JSON", 400, -32700, "POST", {}, "{not json"],
    ["a body that is JSON but not a JSON-RPC message", 400, -32600, "POST", {}, { hello: 1 }],
    ["a request without a method", 400, -32600, "POST", {}, { jsonrpc: "2.0", id: 1 }],
    ["a second initialize on a session", 400, -32600, "POST", {}, initialize],
    ["an initialize inside a batch of two", 400, -32600, "POST", { "Mcp-Session-Id": undefined }, [initialize, echo(1)]],
    ["a request without Mcp-Session-Id", 400, -32600, "POST", { "Mcp-Session-Id": undefined }, { jsonrpc: "2.0", id: 1, method: "tools/list" }],
    ["an unknown Mcp-Session-Id", 404, -32000, "POST", { "Mcp-Session-Id": "no-such-session" }, echo(1)],
    ["an unsupported Mcp-Protocol-Version", 400, -32000, "POST", { "Mcp-Protocol-Version": "1999-01-01" }, echo(1)],
    ["a GET whose Accept lacks text/event-stream", 406, -32000, "GET", { Accept: "application/json" }, undefined],
    ["a PUT", 405, -32000, "PUT", {}, echo(1)],
  ])("answers %s with %i and JSON-RPC error %i", async (_case, status, code, method, headers, body) => {
    const response = await request(method, body, headers);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code } });
  });

  it("names the methods it allows on a 405", async () => {
    const response = await request("PUT", echo(1));
    await response.text();
    expect(response.headers.get("allow")).toBe("GET, POST, DELETE");
  });

  it.each([
    ["a notification", { jsonrpc: "2.0", method: "notifications/roots/list_changed" }],
    [
      "a batch of notifications",
      [
        { jsonrpc: "2.0", method: "notifications/roots/list_changed" },
        { jsonrpc: "2.0", method: "notifications/roots/list_changed" },
      ],
    ],
    ["a response nobody waits for", { jsonrpc: "2.0", id: "unasked", result: {} }],
  ])("accepts a POST of only %s with 202 and no body", async (_case, body) => {
    const response = await request("POST", body, { "Mcp-Protocol-Version": PROTOCOL });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
  });
});

describe("JSON when the response is all there is, SSE when something must come first", () => {
  it("answers initialize with JSON carrying the new session id", async () => {
    const response = await request("POST", initialize, { "Mcp-Session-Id": undefined });
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("mcp-session-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toMatchObject({ id: 0, result: { protocolVersion: PROTOCOL } });
  });

  it.each(["*/*", "application/*, text/*", "application/json;q=0.9, text/event-stream;q=0.5"])("takes an Accept of %s as allowing both", async (accept) => {
    const response = await request("POST", echo(12), { Accept: accept });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 12, result: {} });
  });

  it("answers a plain tools/call with application/json", async () => {
    const response = await request("POST", echo(11, "x".repeat(1024)));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("mcp-session-id")).toBe(sessionId);
    expect(await response.json()).toEqual({ jsonrpc: "2.0", id: 11, result: { content: [{ type: "text", text: `Echo: ${"x".repeat(1024)}` }] } });
  });

  it("answers a batch of requests with the array of responses, in request order", async () => {
    const response = await request("POST", [echo(21, "first"), { jsonrpc: "2.0", method: "notifications/roots/list_changed" }, echo(22, "second")]);
    expect(response.headers.get("content-type")).toBe("application/json");
    const answers = (await response.json()) as Array<{ id: number; result: { content: Array<{ text: string }> } }>;
    expect(answers.map((a) => [a.id, a.result.content[0]?.text])).toEqual([
      [21, "Echo: first"],
      [22, "Echo: second"],
    ]);
  });

  it("streams a call that reports progress: the notifications first, then the result, then the stream ends", async () => {
    const call = {
      jsonrpc: "2.0",
      id: 31,
      method: "tools/call",
      params: { name: "trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 }, _meta: { progressToken: "p-31" } },
    };
    const response = await request("POST", call);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const messages = events(await response.text());
    expect(messages.map((m) => m.method ?? `response ${String(m.id)}`)).toEqual([
      "notifications/progress",
      "notifications/progress",
      "notifications/progress",
      "response 31",
    ]);
    expect(messages.slice(0, 3).map((m) => (m.params as { progressToken: unknown; progress: number }).progress)).toEqual([1, 2, 3]);
    expect(messages[0]?.params).toMatchObject({ progressToken: "p-31" });
  });

  it("carries a sampling round trip for the SDK client", async () => {
    const client = await connectAgent(gateway.entry("everything"), { sampling: {} });
    try {
      client.setRequestHandler(CreateMessageRequestSchema, async () => ({ model: "m", role: "assistant", content: { type: "text", text: "sampled!" } }));
      const result = await client.callTool({ name: "trigger-sampling-request", arguments: { prompt: "hello", maxTokens: 5 } });
      expect(JSON.stringify(result.content)).toContain("sampled!");
    } finally {
      await client.close();
    }
  });
});

describe("the standalone stream and the end of a session", () => {
  it("allows one GET stream per session (409 for a second) and ends it when the session is deleted", async () => {
    const id = await openSession();
    const stream = await request("GET", undefined, { "Mcp-Session-Id": id, "Content-Type": undefined, Accept: "text/event-stream" });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    const second = await request("GET", undefined, { "Mcp-Session-Id": id, "Content-Type": undefined, Accept: "text/event-stream" });
    expect(second.status).toBe(409);
    await second.text();
    const deleted = await request("DELETE", undefined, { "Mcp-Session-Id": id, "Content-Type": undefined });
    expect(deleted.status).toBe(200);
    expect(await stream.text()).toBe("");
    const after = await request("POST", echo(41), { "Mcp-Session-Id": id });
    expect(after.status).toBe(404);
    await after.text();
  });

  it("carries what is tied to no request on the standalone stream: a backend's roots/list, answered by a POST of the response", async () => {
    const id = await openSession({ roots: { listChanged: true } });
    const stream = await request("GET", undefined, { "Mcp-Session-Id": id, "Content-Type": undefined, Accept: "text/event-stream" });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    // The first call starts the session's backend, which asks for the client's roots once initialized (after the call).
    await (await request("POST", echo(71), { "Mcp-Session-Id": id })).text();
    let seen = "";
    const next = async (method: string) => {
      for (;;) {
        const found = events(seen).find((m) => m.method === method);
        if (found) return found;
        seen += (await reader.read()).value ?? "";
      }
    };
    const rootsRequest = await next("roots/list");
    const answered = await request(
      "POST",
      { jsonrpc: "2.0", id: rootsRequest.id, result: { roots: [{ uri: "file:///standalone" }] } },
      { "Mcp-Session-Id": id },
    );
    expect(answered.status).toBe(202);
    expect(await next("notifications/message")).toMatchObject({ params: { data: "Roots updated: 1 root(s) received from client" } });
    await reader.cancel();
    await (await request("DELETE", undefined, { "Mcp-Session-Id": id, "Content-Type": undefined })).text();
  });

  it("answers a request still running when its session is deleted with an error, and ends the stream", async () => {
    const id = await openSession();
    const call = {
      jsonrpc: "2.0",
      id: 51,
      method: "tools/call",
      params: { name: "trigger-long-running-operation", arguments: { duration: 30, steps: 30 }, _meta: { progressToken: "p-51" } },
    };
    const response = await request("POST", call, { "Mcp-Session-Id": id });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("notifications/progress")) seen += (await reader.read()).value ?? "";
    const deleted = await request("DELETE", undefined, { "Mcp-Session-Id": id, "Content-Type": undefined });
    expect(deleted.status).toBe(200);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) seen += chunk.value;
    expect(events(seen).at(-1)).toMatchObject({ id: 51, error: { code: -32000 } });
  });

  it("keeps serving a session after a client drops a streaming call mid-way", async () => {
    const aborter = new AbortController();
    const call = {
      jsonrpc: "2.0",
      id: 61,
      method: "tools/call",
      params: { name: "trigger-long-running-operation", arguments: { duration: 0.4, steps: 4 }, _meta: { progressToken: "p-61" } },
    };
    const response = await request("POST", call, {}, aborter.signal);
    const reader = response.body!.getReader();
    await reader.read();
    aborter.abort();
    // A call after the dropped one outlives it on the same session: its later progress and result are dropped quietly.
    const slow = await request("POST", { ...call, id: 62, params: { ...call.params, arguments: { duration: 0.6, steps: 1 }, _meta: {} } });
    expect(await slow.json()).toMatchObject({ id: 62, result: { content: [{ type: "text" }] } });
  });
});

describe("a call that outlasts the keep-alive interval", () => {
  let server: HttpServer;
  let release: () => void = () => undefined;
  let transportUrl: string;

  beforeAll(async () => {
    const released = new Promise<void>((resolve) => (release = resolve));
    const transport = new HttpServerTransport({ sessionIdGenerator: () => "only-session", keepAliveMs: 20 });
    const mcp = new McpServer({ name: "slow", version: "1" });
    mcp.registerTool("wait", { description: "answers once the test releases it" }, async () => {
      await released;
      return { content: [{ type: "text", text: "released" }] };
    });
    await mcp.connect(transport);
    server = createServer((req, res) => void transport.handleRequest(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    transportUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("switches to SSE with keep-alive comments while the result is pending, then sends the result", async () => {
    const headers = { ...base, "Mcp-Session-Id": "only-session" };
    const init = await fetch(transportUrl, { method: "POST", headers: { ...base }, body: JSON.stringify(initialize) });
    expect(init.headers.get("content-type")).toBe("application/json");
    await init.text();
    const response = await fetch(transportUrl, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "wait" } }),
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes(": keepalive")) seen += (await reader.read()).value ?? "";
    release();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) seen += chunk.value;
    expect(events(seen)).toEqual([{ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "released" }] } }]);
  });
});
