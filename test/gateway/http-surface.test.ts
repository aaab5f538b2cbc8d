import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, MEMORY_SCRIPT, stdioServer } from "../support/mcp-servers.ts";
import { rawRequest } from "../support/raw-http.ts";

const AGENT_ID = "agent-for-http-tests";
let gateway: RunningGateway;

function memoryServer() {
  const file = join(mkdtempSync(join(tmpdir(), "flowgate-memory-")), "memory.jsonl");
  return stdioServer("memory", MEMORY_SCRIPT, { env: { MEMORY_FILE_PATH: file } });
}

const initialize = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});
const mcpHeaders = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };

beforeAll(async () => {
  gateway = await runGateway(gatewayConfig([memoryServer()], { agentId: AGENT_ID }));
});

afterAll(async () => {
  await gateway.stop();
});

describe("authentication on MCP routes", () => {
  it.each([
    ["no Authorization header", {}, 401, { error: "unauthorized", message: "missing Authorization header" }, "missing_auth_header"],
    ["a wrong agent id", { Authorization: "someone-else" }, 401, { error: "unauthorized", message: "invalid API key" }, "invalid_api_key"],
    [
      "the agent id with a Bearer scheme",
      { Authorization: `Bearer ${AGENT_ID}` },
      401,
      { error: "unauthorized", message: "invalid API key" },
      "invalid_api_key",
    ],
    [
      "a control character",
      { Authorization: `${AGENT_ID}\u0001` },
      400,
      { error: "bad_request", message: "malformed Authorization header" },
      "malformed_auth_header",
    ],
  ])("rejects %s with the reference's status and body, and logs it", async (_case, headers, status, body, detail) => {
    const response = await rawRequest(gateway.baseUrl, "POST", "/mcp/memory", { ...mcpHeaders, ...headers }, initialize);
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual(body);
    expect(gateway.logger.matching(`Request rejected: ${body.message}`).length).toBeGreaterThan(0);
    expect(gateway.stderr()).toContain(`error_type=authentication_failed detail=${detail} path=/mcp/memory`);
    expect(gateway.stderr()).not.toContain(AGENT_ID);
  });

  it("accepts the exact agent id and opens a session", async () => {
    const response = await rawRequest(gateway.baseUrl, "POST", "/mcp/memory", { ...mcpHeaders, Authorization: AGENT_ID }, initialize);
    expect(response.status).toBe(200);
    expect(response.headers["mcp-session-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body).toContain('"serverInfo":{"name":"awmg-memory","version":"9.8.7"}');
  });

  it.each([
    ["a foreign host name", "evil.example:80", 403],
    ["localhost", "localhost:1234", 200],
  ])("on a loopback listener answers a Host header of %s (%s) with %i", async (_case, host, status) => {
    const response = await rawRequest(gateway.baseUrl, "POST", "/mcp/memory", { ...mcpHeaders, Authorization: AGENT_ID, Host: host }, initialize);
    expect(response.status).toBe(status);
    if (status === 403) expect(response.body).toBe(`Forbidden: invalid Host header "${host}"`);
  });
});

describe("OAuth discovery and registration", () => {
  it.each([
    ["GET", "/.well-known/oauth-authorization-server"],
    ["GET", "/mcp/.well-known/oauth-authorization-server"],
    ["GET", "/.well-known/oauth-protected-resource/mcp/memory"],
    ["GET", "/.well-known/openid-configuration"],
    ["POST", "/register"],
    ["GET", "/authorize"],
    ["POST", "/token"],
  ])("answers %s %s with a 404 that says flowgate takes its API key in the Authorization header", async (method, path) => {
    const response = await rawRequest(gateway.baseUrl, method, path, { "Content-Type": "application/json" }, method === "POST" ? "{}" : undefined);
    expect(response.status).toBe(404);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body)).toEqual({
      error: "oauth_not_supported",
      message: expect.stringContaining("the Authorization header was missing or wrong"),
    });
  });
});

describe("MCP sessions", () => {
  it("answers an unknown Mcp-Session-Id with 404", async () => {
    const response = await rawRequest(
      gateway.baseUrl,
      "POST",
      "/mcp/memory",
      { ...mcpHeaders, Authorization: AGENT_ID, "Mcp-Session-Id": "no-such-session" },
      "{}",
    );
    expect(response.status).toBe(404);
  });

  it("refuses a request other than initialize without a session", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    const response = await rawRequest(gateway.baseUrl, "POST", "/mcp/memory", { ...mcpHeaders, Authorization: AGENT_ID }, body);
    expect(response.status).toBe(400);
  });

  it("initializes a session for a client that sends tools/call first (Gemini CLI compatibility)", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "read_graph", arguments: {} } });
    const response = await rawRequest(gateway.baseUrl, "POST", "/mcp/memory", { ...mcpHeaders, Authorization: AGENT_ID }, body);
    expect(response.status).toBe(200);
    expect(response.headers["mcp-session-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(response.body)).toMatchObject({ jsonrpc: "2.0", id: 7, result: { content: [{ type: "text" }] } });
    expect(gateway.logger.matching("Gemini-compat: tools/call received before session initialization")).toHaveLength(1);
  });

  it("closes a session on DELETE, after which its id is unknown", async () => {
    const client = await connectAgent(gateway.entry("memory"));
    await client.listTools();
    const sessionId = (client.transport as unknown as { sessionId?: string }).sessionId;
    await client.close();
    expect(sessionId).toBeDefined();
    const deleted = await rawRequest(gateway.baseUrl, "DELETE", "/mcp/memory", { Authorization: AGENT_ID, "Mcp-Session-Id": sessionId! });
    expect(deleted.status).toBe(200);
    const after = await rawRequest(gateway.baseUrl, "POST", "/mcp/memory", { ...mcpHeaders, Authorization: AGENT_ID, "Mcp-Session-Id": sessionId! }, "{}");
    expect(after.status).toBe(404);
  });

  it("closes a session that stays idle past the session timeout", async () => {
    const idle = await runGateway(gatewayConfig([memoryServer()], { agentId: AGENT_ID }), runtimeOptions({ sessionTimeoutMs: 300 }));
    try {
      const client = await connectAgent(idle.entry("memory"));
      await client.listTools();
      const sessionId = (client.transport as unknown as { sessionId: string }).sessionId;
      await client.close();
      // Polling the session itself would keep it alive, so wait for the gateway's own record of the expiry.
      await vi.waitFor(() => expect(idle.logger.matching(`MCP session ${sessionId.slice(0, 8)} closed after`)).toHaveLength(1), { timeout: 5000 });
      const response = await rawRequest(idle.baseUrl, "POST", "/mcp/memory", { ...mcpHeaders, Authorization: AGENT_ID, "Mcp-Session-Id": sessionId }, "{}");
      expect(response.status).toBe(404);
    } finally {
      await idle.stop();
    }
  });
});

describe("/close", () => {
  it.each([
    ["GET", { Authorization: AGENT_ID }, 405, { error: "method_not_allowed", message: "method not allowed" }],
    ["POST", {}, 401, { error: "unauthorized", message: "missing Authorization header" }],
  ])("answers %s %j with %i", async (method, headers, status, body) => {
    const response = await rawRequest(gateway.baseUrl, method, "/close", headers);
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual(body);
  });

  it("shuts the gateway down with exit code 0 after answering 200", async () => {
    const other = await runGateway(gatewayConfig([memoryServer()], { agentId: AGENT_ID }));
    const response = await rawRequest(other.baseUrl, "POST", "/close", { Authorization: AGENT_ID });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ message: "Gateway shutdown initiated", serversTerminated: 1, status: "closed" });
    expect(await other.exit).toBe(0);
    await expect(fetch(`${other.baseUrl}/health`)).rejects.toThrow();
  });
});

describe("graceful shutdown", () => {
  it("lets a call in flight finish before the gateway exits", async () => {
    const other = await runGateway(gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT)], { agentId: AGENT_ID }));
    const client = await connectAgent(other.entry("everything"));
    let started: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const call = client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 1, steps: 2 } }, undefined, { onprogress: () => started() });
    await inFlight;
    const closed = await rawRequest(other.baseUrl, "POST", "/close", { Authorization: AGENT_ID });
    expect(closed.status).toBe(200);
    expect(JSON.stringify((await call).content)).toContain("completed");
    expect(await other.exit).toBe(0);
  });
});

describe("a generated agent id", () => {
  it("is 64 hex characters, given only in the stdout document, and required on requests", async () => {
    const other = await runGateway(gatewayConfig([memoryServer()]));
    try {
      const agentId = other.entry("memory").headers.Authorization;
      expect(agentId).toMatch(/^[0-9a-f]{64}$/);
      expect(other.stderr()).not.toContain(agentId);
      const client = await connectAgent(other.entry("memory"));
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await client.close();
    } finally {
      await other.stop();
    }
  });
});
