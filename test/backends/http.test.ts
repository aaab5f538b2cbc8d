import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BACKEND_UNAVAILABLE } from "../../src/backends/errors.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { httpServer, startEverythingHttp } from "../support/mcp-servers.ts";
import { startRecordingProxy } from "../support/recording-proxy.ts";

// HTTP backends: configured headers on every request, and the fallback to the legacy SSE transport.
let streamable: Awaited<ReturnType<typeof startEverythingHttp>>;
let sse: Awaited<ReturnType<typeof startEverythingHttp>>;
let restartable: Awaited<ReturnType<typeof startEverythingHttp>>;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
let gateway: RunningGateway;

beforeAll(async () => {
  [streamable, sse, restartable] = await Promise.all([
    startEverythingHttp("streamableHttp"),
    startEverythingHttp("sse"),
    startEverythingHttp("streamableHttp"),
  ]);
  proxy = await startRecordingProxy(streamable.url);
  gateway = await runGateway(
    gatewayConfig(
      [
        httpServer("headed", proxy.url, { headers: { "X-Api-Key": "key-123", Authorization: "Bearer backend-token" } }),
        httpServer("legacy", sse.url),
        httpServer("restartable", restartable.url),
      ],
      { agentId: "http-agent" },
    ),
    runtimeOptions({ mode: "routed" }),
  );
});

afterAll(async () => {
  await gateway.stop();
  await proxy.stop();
  await Promise.all([streamable.stop(), sse.stop(), restartable.stop()]);
});

describe("HTTP backends", () => {
  it("send the configured headers on every request, and not the agent's credential", async () => {
    const client = await connectAgent(gateway.entry("headed"));
    const result = await client.callTool({ name: "echo", arguments: { message: "with headers" } });
    expect(result.content).toEqual([{ type: "text", text: "Echo: with headers" }]);
    await client.close();
    expect(proxy.seen.length).toBeGreaterThan(2);
    for (const headers of proxy.seen) {
      expect(headers["x-api-key"]).toBe("key-123");
      expect(headers.authorization).toBe("Bearer backend-token");
    }
  });

  it("are pinged at the keepalive interval while an agent session is open", async () => {
    // Its own gateway, pinging every second; the shared one pings at the default 1500 s.
    const pinging = await runGateway(gatewayConfig([httpServer("headed", proxy.url)], { agentId: "http-agent", keepaliveInterval: 1 }));
    try {
      const client = await connectAgent(pinging.entry("headed"));
      await client.callTool({ name: "echo", arguments: { message: "keep me" } });
      await vi.waitFor(() => expect(proxy.methods).toContain("ping"), { timeout: 10_000 });
      await client.close();
    } finally {
      await pinging.stop();
    }
  });

  it("fall back to the SSE transport when streamable HTTP fails, with a deprecation warning", async () => {
    const client = await connectAgent(gateway.entry("legacy"));
    const result = await client.callTool({ name: "echo", arguments: { message: "over sse" } });
    expect(result.content).toEqual([{ type: "text", text: "Echo: over sse" }]);
    await client.close();
    expect(gateway.logger.matching("MCP over SSE (2024-11-05 spec) is DEPRECATED", "legacy").length).toBeGreaterThan(0);
  });

  it("fail calls while the server is down, reconnect when it is back, and renew an MCP session the server forgot", async () => {
    const client = await connectAgent(gateway.entry("restartable"));
    const echo = async (message: string) => (await client.callTool({ name: "echo", arguments: { message } })).content;
    expect(await echo("one")).toEqual([{ type: "text", text: "Echo: one" }]);

    await restartable.stop();
    const error = await client.callTool({ name: "echo", arguments: { message: "down" } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(BACKEND_UNAVAILABLE);
    expect((error as McpError).message).toContain('backend "restartable" failed during tools/call');

    restartable = await startEverythingHttp("streamableHttp", restartable.port);
    expect(await echo("two")).toEqual([{ type: "text", text: "Echo: two" }]);

    // A restart between two calls: the gateway's MCP session is unknown to the new process.
    await restartable.stop();
    restartable = await startEverythingHttp("streamableHttp", restartable.port);
    expect(await echo("three")).toEqual([{ type: "text", text: "Echo: three" }]);
    expect(gateway.logger.matching("Session successfully reconnected for restartable", "restartable")).toHaveLength(1);
    await client.close();
  });
});
