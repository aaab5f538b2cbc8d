import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, httpServer, MEMORY_SCRIPT, startEverythingHttp, stdioServer } from "../support/mcp-servers.ts";

// One gateway per mode in front of the same three real backends: server-everything over stdio,
// server-everything over its own streamable HTTP, and server-memory with a tool allow-list.
let httpBackend: Awaited<ReturnType<typeof startEverythingHttp>>;
const gateways: Record<"routed" | "unified", RunningGateway | undefined> = { routed: undefined, unified: undefined };
const agents = new Map<string, Client>();

function config() {
  const memoryFile = join(mkdtempSync(join(tmpdir(), "flowgate-memory-")), "memory.jsonl");
  return gatewayConfig(
    [
      stdioServer("everything", EVERYTHING_SCRIPT),
      httpServer("remote", httpBackend.url),
      stdioServer("memory", MEMORY_SCRIPT, { env: { MEMORY_FILE_PATH: memoryFile }, tools: ["read_graph", "create_entities"] }),
    ],
    { agentId: "agent-secret-1" },
  );
}

beforeAll(async () => {
  httpBackend = await startEverythingHttp();
  gateways.routed = await runGateway(config(), runtimeOptions({ mode: "routed" }));
  gateways.unified = await runGateway(config(), runtimeOptions({ mode: "unified" }));
});

afterAll(async () => {
  await Promise.all([...agents.values()].map((agent) => agent.close()));
  expect(await gateways.routed?.stop()).toBe(0);
  expect(await gateways.unified?.stop()).toBe(0);
  await httpBackend.stop();
});

function gateway(mode: "routed" | "unified"): RunningGateway {
  const running = gateways[mode];
  if (!running) throw new Error(`no ${mode} gateway`);
  return running;
}

/** One agent session per (mode, entry), shared by the tests: each session starts its own stdio backends. */
async function agent(mode: "routed" | "unified", serverId: string): Promise<Client> {
  const key = mode === "unified" ? mode : `${mode}/${serverId}`;
  let client = agents.get(key);
  if (!client) {
    client = await connectAgent(gateway(mode).entry(serverId));
    agents.set(key, client);
  }
  return client;
}

/** The name an agent uses for a backend tool in each mode. */
const toolName = (mode: "routed" | "unified", serverId: string, tool: string) => (mode === "unified" ? `${serverId}___${tool}` : tool);

describe("the client configuration document on stdout", () => {
  it.each([
    ["routed", (id: string) => `/mcp/${id}`],
    ["unified", () => "/mcp"],
  ] as const)("in %s mode gives each server its URL, the agent id header and its tools list", (mode, path) => {
    const running = gateway(mode);
    expect(Object.keys(running.document.mcpServers)).toEqual(["everything", "memory", "remote"]);
    for (const [id, entry] of Object.entries(running.document.mcpServers)) {
      expect(entry.type).toBe("http");
      expect(entry.headers).toEqual({ Authorization: "agent-secret-1" });
      expect(new URL(entry.url).pathname).toBe(path(id));
      expect(new URL(entry.url).hostname).toBe("127.0.0.1");
    }
    expect(running.document.mcpServers.memory?.tools).toEqual(["read_graph", "create_entities"]);
    expect(running.document.mcpServers.everything).not.toHaveProperty("tools");
    expect(running.stdout).toBe(`${JSON.stringify(running.document, null, 2)}\n`);
  });
});

describe("tools through the gateway", () => {
  it.each([
    ["routed", "everything"],
    ["routed", "remote"],
    ["unified", "everything"],
    ["unified", "remote"],
  ] as const)("%s mode calls echo on %s and returns the backend's result", async (mode, serverId) => {
    const client = await agent(mode, serverId);
    const result = await client.callTool({ name: toolName(mode, serverId, "echo"), arguments: { message: "hi" } });
    expect(result.content).toEqual([{ type: "text", text: "Echo: hi" }]);
    const records = gateway(mode).logger.rpcRecords.filter((record) => record.serverId === serverId);
    expect(records).toContainEqual(
      expect.objectContaining({
        event: "rpc_request",
        method: "tools/call",
        payload: expect.objectContaining({ params: { name: "echo", arguments: { message: "hi" } } }),
      }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({ event: "rpc_response", payload: expect.objectContaining({ result: expect.objectContaining({ content: result.content }) }) }),
    );
  });

  it.each(["routed", "unified"] as const)("%s mode keeps structuredContent and the tool's output schema", async (mode) => {
    const client = await agent(mode, "everything");
    const listed = await client.listTools();
    const tool = listed.tools.find((t) => t.name === toolName(mode, "everything", "get-structured-content"));
    expect(tool?.outputSchema).toBeDefined();
    const result = await client.callTool({ name: toolName(mode, "everything", "get-structured-content"), arguments: { location: "New York" } });
    expect(result.structuredContent).toMatchObject({ temperature: expect.any(Number), conditions: expect.any(String) });
  });

  it("unified mode names every tool <serverID>___<tool> with a [serverID] description prefix", async () => {
    const client = await agent("unified", "everything");
    const { tools } = await client.listTools();
    const echo = tools.filter((tool) => tool.name.endsWith("___echo"));
    expect(echo.map((tool) => tool.name).sort()).toEqual(["everything___echo", "remote___echo"]);
    for (const tool of echo) expect(tool.description).toMatch(/^\[(everything|remote)\] /);
  });

  it.each(["routed", "unified"] as const)("%s mode lists only the allowed tools of a server with a tools list", async (mode) => {
    const client = await agent(mode, "memory");
    const { tools } = await client.listTools();
    const memoryTools = tools.map((tool) => tool.name).filter((name) => mode === "routed" || name.startsWith("memory___"));
    expect(memoryTools.sort()).toEqual([toolName(mode, "memory", "create_entities"), toolName(mode, "memory", "read_graph")]);
  });

  it.each(["routed", "unified"] as const)("%s mode refuses a call to a tool outside the allow-list", async (mode) => {
    const client = await agent(mode, "memory");
    await expect(client.callTool({ name: toolName(mode, "memory", "delete_entities"), arguments: { entityNames: [] } })).rejects.toThrow(
      /"delete_entities" is not in the allowed-tools list/,
    );
  });

  it.each(["routed", "unified"] as const)("%s mode calls an allowed server-memory tool", async (mode) => {
    const client = await agent(mode, "memory");
    const result = await client.callTool({ name: toolName(mode, "memory", "read_graph"), arguments: {} });
    expect(JSON.stringify(result.content)).toContain("entities");
  });

  it("unified mode answers an unknown qualified tool with a JSON-RPC error naming it", async () => {
    const client = await agent("unified", "everything");
    await expect(client.callTool({ name: "nosuch___echo", arguments: {} })).rejects.toThrow(/unknown tool "nosuch___echo"/);
  });

  it.each(["routed", "unified"] as const)("%s mode records each server's discovered tools for tools.json", (mode) => {
    const catalogue = gateway(mode).logger.toolCatalogue;
    expect(catalogue.get("everything")?.map((tool) => tool.name)).toContain("echo");
    expect(
      catalogue
        .get("memory")
        ?.map((tool) => tool.name)
        .sort(),
    ).toEqual(["create_entities", "read_graph"]);
  });
});

describe("HTTP routes", () => {
  it.each([
    ["routed", "/mcp/nosuch"],
    ["routed", "/mcp"],
    ["unified", "/nowhere"],
  ] as const)("%s mode answers %s with 404", async (mode, path) => {
    const running = gateway(mode);
    const response = await fetch(`${running.baseUrl}${path}`, { method: "POST", headers: { Authorization: "agent-secret-1" } });
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("404 page not found\n");
  });

  it.each(["routed", "unified"] as const)("%s mode reports every server running on /health without auth", async (mode) => {
    const response = await fetch(`${gateway(mode).baseUrl}/health`);
    expect(response.status).toBe(200);
    const health = (await response.json()) as { status: string; specVersion: string; gatewayVersion: string; servers: Record<string, { status: string }> };
    expect(health).toMatchObject({ status: "healthy", specVersion: "1.14.0", gatewayVersion: "9.8.7" });
    expect(Object.fromEntries(Object.entries(health.servers).map(([id, s]) => [id, s.status]))).toEqual({
      everything: "running",
      remote: "running",
      memory: "running",
    });
  });

  it("answers /reflect with no agents while the DIFC engine is not wired in", async () => {
    const routed = gateway("routed");
    const response = await fetch(`${routed.baseUrl}/reflect`, { headers: routed.entry("everything").headers });
    const body = (await response.json()) as { agents: object; mode: string; timestamp: string };
    expect(body.agents).toEqual({});
    expect(body.mode).toBe("strict");
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});
