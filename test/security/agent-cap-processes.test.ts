import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_LIMITS } from "../../src/config/defaults.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type ClientEntry, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";
import { childPids } from "../support/processes.ts";
import { openRawSession } from "../support/raw-http.ts";

// Attack: every distinct X-Agent-ID got its own stdio backend process, so a client inventing ids
// made the gateway spawn processes without bound (40 ids: 40 processes, 3 GB). With a cap of two
// agents per server, a third agent is refused with 503, Retry-After and a JSON-RPC error naming
// the limit, and gets its place once another agent's sessions have closed.
const marker = "agent-cap-test";
const pids = () => childPids(EVERYTHING_SCRIPT, marker);
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await runGateway(
    gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT, { args: [EVERYTHING_SCRIPT, "stdio", marker] })], { agentId: "cap-agent" }),
    runtimeOptions({ limits: { ...DEFAULT_LIMITS, maxAgentsPerServer: 2 } }),
  );
  await vi.waitFor(() => expect(pids()).toEqual([]), { timeout: 10_000, interval: 50 });
});

afterAll(async () => {
  expect(await gateway.stop()).toBe(0);
});

async function agent(agentId: string): Promise<Client> {
  const entry = gateway.entry("everything");
  const client = await connectAgent({ ...entry, headers: { ...entry.headers, "X-Agent-ID": agentId } as ClientEntry["headers"] });
  await client.listTools();
  return client;
}

async function end(client: Client): Promise<void> {
  await (client.transport as StreamableHTTPClientTransport | undefined)?.terminateSession();
  await client.close();
}

/** tools/call echo on a raw session of `agentId`, to see the HTTP status and headers. */
async function rawEcho(agentId: string): Promise<Response> {
  const entry = gateway.entry("everything");
  const session = await openRawSession(entry.url, { ...entry.headers, "X-Agent-ID": agentId });
  return session.post({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "echo", arguments: { message: "hi" } } });
}

describe("an agent cap per server", () => {
  it("refuses an agent over --max-agents-per-server with 503 and Retry-After, spawning no process, and admits it once a place frees", async () => {
    const first = await agent("agent-one");
    const second = await agent("agent-two");
    try {
      expect((await first.callTool({ name: "echo", arguments: { message: "1" } })).content).toEqual([{ type: "text", text: "Echo: 1" }]);
      expect((await second.callTool({ name: "echo", arguments: { message: "2" } })).content).toEqual([{ type: "text", text: "Echo: 2" }]);
      // Two agents' processes, and the spare the gateway keeps ready once a second one is open.
      const running = pids();
      expect(running.length).toBeLessThanOrEqual(3);

      const refused = await rawEcho("agent-three");
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("30");
      const body = (await refused.json()) as { id: number; error: { code: number; message: string } };
      expect(body.id).toBe(2);
      expect(body.error.code).toBe(-32041);
      expect(body.error.message).toMatch(/already serves 2 agents, the gateway's limit \(--max-agents-per-server\); retry after 30s/);
      expect(pids()).toEqual(running);

      await end(first);
      const admitted = await rawEcho("agent-three");
      expect(admitted.status).toBe(200);
      expect(await admitted.text()).toContain("Echo: hi");
    } finally {
      await end(first);
      await end(second);
    }
  });
});
