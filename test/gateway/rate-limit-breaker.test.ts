import { fileURLToPath } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RATE_LIMIT_CIRCUIT_OPEN } from "../../src/gateway/forward/circuit-breaker.ts";
import type { ForwardMiddleware } from "../../src/gateway/forward/forward.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { stdioServer } from "../support/mcp-servers.ts";

const RATE_LIMITED_SCRIPT = fileURLToPath(new URL("../support/rate-limited-server.ts", import.meta.url));

// A real gateway in front of a real stdio MCP server whose "search" tool is always rate-limited.
// The outer middleware stands where the enforcement pipeline does and records what comes back
// to it from the forward chain, so the test sees the breaker is inside it.
const clock = { now: Date.UTC(2026, 0, 1, 12, 0, 0) };
const seenByOuterLayer: Array<string | number> = [];
const outerLayer: ForwardMiddleware = (next) => async (request) => {
  try {
    const result = await next(request);
    if (request.method === "tools/call") seenByOuterLayer.push("result");
    return result;
  } catch (error) {
    seenByOuterLayer.push((error as { code?: number }).code ?? "error");
    throw error;
  }
};

let gateway: RunningGateway;
let agent: Client;

beforeAll(async () => {
  gateway = await runGateway(
    gatewayConfig([stdioServer("limited", RATE_LIMITED_SCRIPT, { rateLimitThreshold: 2, rateLimitCooldown: 60 })], { agentId: "agent-1" }),
    runtimeOptions(),
    { enforcement: outerLayer, clock: () => clock.now },
  );
  agent = await connectAgent(gateway.entry("limited"));
});

afterAll(async () => {
  await agent.close();
  expect(await gateway.stop()).toBe(0);
});

const backendToolCalls = () => gateway.logger.rpcRecords.filter((record) => record.event === "rpc_request" && record.method === "tools/call").length;

async function refusal(name: string): Promise<{ code?: number; message?: string } | null> {
  return agent.callTool({ name, arguments: {} }).then(
    () => null,
    (error: unknown) => error as { code?: number; message?: string },
  );
}

describe("the circuit breaker in front of a rate-limited backend", () => {
  it("returns rate-limited results as the backend's error, opens at the threshold, rejects the next call inside the outer layer, and closes after a good probe", async () => {
    for (const call of [1, 2]) {
      const result = await agent.callTool({ name: "search", arguments: {} });
      expect(result).toMatchObject({ isError: true, content: [{ type: "text", text: `API rate limit exceeded (call ${call})` }] });
    }
    expect(
      gateway.logger.matching('circuit breaker for server "limited" OPENED after 2 consecutive rate-limit errors; resets at 2026-01-01T12:01:00Z'),
    ).toHaveLength(1);

    // The breaker is per server: a tool that would succeed is refused too, and never reaches the backend.
    const refused = await refusal("echo");
    expect(refused?.code).toBe(RATE_LIMIT_CIRCUIT_OPEN);
    expect(refused?.message).toContain('rate limit circuit breaker is OPEN for server "limited" — requests temporarily rejected');
    expect(backendToolCalls()).toBe(2);
    expect(seenByOuterLayer).toEqual(["result", "result", RATE_LIMIT_CIRCUIT_OPEN]);

    // Other methods are not the breaker's business.
    expect((await agent.listTools()).tools.map((tool) => tool.name).sort()).toEqual(["echo", "search"]);

    clock.now += 60_000;
    expect(await agent.callTool({ name: "echo", arguments: {} })).toMatchObject({ content: [{ type: "text", text: "searches so far: 2" }] });
    expect(gateway.logger.matching('circuit breaker for server "limited" CLOSED: probe request succeeded')).toHaveLength(1);
  });
});
