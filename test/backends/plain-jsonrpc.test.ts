import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlainJsonRpcTransport } from "../../src/backends/plain-jsonrpc-transport.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { httpServer } from "../support/mcp-servers.ts";

// HTTP backends that speak neither streamable HTTP nor SSE: plain JSON-RPC over POST, the third
// transport the gateway tries.

interface SeenRequest {
  method: string;
  id: unknown;
  session: string | undefined;
  apiKey: string | undefined;
}

/**
 * A request/response-only JSON-RPC server: one POST, one answer; notifications and GET are
 * refused, which is what makes the streamable HTTP and SSE attempts fail against it.
 */
class PlainJsonRpcServer {
  readonly seen: SeenRequest[] = [];
  readonly sessions = new Set<string>();
  #issued = 0;
  readonly #server: Server;
  readonly #mode: "working" | "broken";

  constructor(mode: "working" | "broken") {
    this.#mode = mode;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/rpc`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") return void res.writeHead(405).end("method not allowed");
    if (this.#mode === "broken") return void res.writeHead(503, "Service Unavailable").end("backend is down");
    let body = "";
    for await (const chunk of req) body += String(chunk);
    const message = JSON.parse(body) as {
      id?: unknown;
      method: string;
      params?: { protocolVersion?: string; name?: string; arguments?: { message?: string } };
    };
    const session = req.headers["mcp-session-id"] as string | undefined;
    this.seen.push({ method: message.method, id: message.id, session, apiKey: req.headers["x-api-key"] as string | undefined });
    const reply = (result: unknown) => JSON.stringify({ jsonrpc: "2.0", id: message.id, result });
    if (message.id === undefined) {
      return void json(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32600, message: "notifications are not supported" } });
    }
    if (message.method === "initialize") {
      const id = `plain-${++this.#issued}`;
      this.sessions.add(id);
      res.writeHead(200, { "content-type": "application/json", "mcp-session-id": id });
      return void res.end(
        reply({ protocolVersion: message.params?.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "plain", version: "1.0.0" } }),
      );
    }
    if (session === undefined || !this.sessions.has(session)) return void res.writeHead(404).end("session not found");
    if (message.method === "tools/list") {
      // Answered as a one-event SSE body, which the transport must read too.
      res.writeHead(200, { "content-type": "text/event-stream" });
      return void res.end(`event: message\ndata: ${reply({ tools: [echoTool, failTool] })}\n\n`);
    }
    if (message.method === "tools/call" && message.params?.name === "echo") {
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(reply({ content: [{ type: "text", text: `plain echo: ${message.params.arguments?.message ?? ""}` }] }));
    }
    if (message.method === "tools/call") return void res.writeHead(500, "Internal Server Error", { "content-type": "text/plain" }).end("tool crashed");
    json(res, 200, { jsonrpc: "2.0", id: message.id, error: { code: -32601, message: `no method ${message.method}` } });
  }
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
}

const echoTool = { name: "echo", description: "Echoes", inputSchema: { type: "object", properties: { message: { type: "string" } } } };
const failTool = { name: "fail", description: "Answers HTTP 500", inputSchema: { type: "object" } };

let plain: PlainJsonRpcServer;
let broken: PlainJsonRpcServer;
let gateway: RunningGateway;
let agent: Client;
let plainUrl: string;

beforeAll(async () => {
  plain = new PlainJsonRpcServer("working");
  broken = new PlainJsonRpcServer("broken");
  let brokenUrl: string;
  [plainUrl, brokenUrl] = await Promise.all([plain.start(), broken.start()]);
  gateway = await runGateway(
    gatewayConfig([httpServer("plain", plainUrl, { headers: { "X-Api-Key": "plain-key" } }), httpServer("broken", brokenUrl)], { agentId: "plain-agent" }),
    runtimeOptions({ mode: "routed" }),
  );
  agent = await connectAgent(gateway.entry("plain"));
});

afterAll(async () => {
  await agent.close();
  await gateway.stop();
  await Promise.all([plain.stop(), broken.stop()]);
});

const echo = async (message: string) => (await agent.callTool({ name: "echo", arguments: { message } })).content;

describe("plain JSON-RPC HTTP backends", () => {
  it("serve tools listed in an SSE body and called with JSON bodies", async () => {
    expect((await agent.listTools()).tools.map((tool) => tool.name)).toEqual(["echo", "fail"]);
    expect(await echo("hello")).toEqual([{ type: "text", text: "plain echo: hello" }]);
  });

  it("initialize without a session header, then send the stored session, numeric ids and the configured headers", async () => {
    await echo("session");
    const call = plain.seen.findLast((request) => request.method === "tools/call");
    expect(call?.session).toMatch(/^plain-\d+$/);
    const initializeOfSession = plain.seen.findLast((request, index) => request.method === "initialize" && index < plain.seen.indexOf(call!));
    expect(initializeOfSession?.session).toBeUndefined();
    // The transport sends no notifications (the 400s the server gave came from the streamable attempt).
    expect(plain.seen.filter((request) => request.session === call?.session && request.id === undefined)).toEqual([]);
    const plainIds = plain.seen.filter((request) => request.session === call?.session).map((request) => request.id);
    expect(plainIds.every((id) => typeof id === "number")).toBe(true);
    expect(new Set(plainIds).size).toBe(plainIds.length);
    expect(plain.seen.every((request) => request.apiKey === "plain-key")).toBe(true);
  });

  it("turn an HTTP error into a JSON-RPC -32603 error, which the agent receives", async () => {
    const error = await agent.callTool({ name: "fail", arguments: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32603);
    expect((error as McpError).message).toContain("HTTP 500: Internal Server Error");
  });

  it("keep the HTTP body of a failed request as the synthetic error's data", async () => {
    const client = new Client({ name: "direct", version: "1.0.0" });
    await client.connect(new PlainJsonRpcTransport(new URL(plainUrl), {}));
    try {
      const error = await client.callTool({ name: "fail", arguments: {} }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: -32603, data: "tool crashed" });
      expect((error as McpError).message).toContain("HTTP 500: Internal Server Error");
    } finally {
      await client.close();
    }
  });

  it("re-initialise once when the server answers 404 session not found, and retry the call", async () => {
    const initializesBefore = plain.seen.filter((request) => request.method === "initialize").length;
    plain.sessions.clear();
    expect(await echo("after restart")).toEqual([{ type: "text", text: "plain echo: after restart" }]);
    expect(plain.seen.filter((request) => request.method === "initialize").length).toBe(initializesBefore + 1);
    const [lost, reinit, retried] = plain.seen.slice(-3);
    expect([lost?.method, reinit?.method, retried?.method]).toEqual(["tools/call", "initialize", "tools/call"]);
    expect(reinit?.session).toBeUndefined();
    expect(retried?.session).not.toBe(lost?.session);
  });

  it("fail with every transport's reason when none of the three connects", () => {
    const failure = gateway.logger.matching("failed to connect using any HTTP transport (tried streamable, SSE, and plain JSON-RPC): last error:", "broken");
    expect(failure.length).toBeGreaterThan(0);
    expect(failure[0]).toContain("HTTP 503: Service Unavailable");
    expect(failure[0]).toContain("streamable:");
    expect(failure[0]).toContain("SSE:");
  });
});
