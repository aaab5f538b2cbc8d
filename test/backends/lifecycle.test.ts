import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BACKEND_TIMEOUT, BACKEND_UNAVAILABLE } from "../../src/backends/errors.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";
import { childPids } from "../support/processes.ts";

// Three copies of server-everything, each used by one scenario, so a killed or frozen process
// affects only its own test: "crashy" is killed mid-call, "slow" has a 2 s tool timeout, and
// "frozen" is stopped with SIGSTOP. "broken" never starts.
let gateway: RunningGateway;
const agents = new Map<string, Client>();

beforeAll(async () => {
  gateway = await runGateway(
    gatewayConfig(
      [
        stdioServer("crashy", EVERYTHING_SCRIPT, { args: [EVERYTHING_SCRIPT, "stdio", "crashy"] }),
        stdioServer("slow", EVERYTHING_SCRIPT, { args: [EVERYTHING_SCRIPT, "stdio", "slow"], toolTimeout: 2 }),
        stdioServer("frozen", EVERYTHING_SCRIPT, { args: [EVERYTHING_SCRIPT, "stdio", "frozen"], toolTimeout: 2 }),
        stdioServer("broken", "/nonexistent/flowgate-test-server"),
      ],
      { agentId: "lifecycle-agent" },
    ),
    runtimeOptions({ mode: "routed" }),
  );
});

afterAll(async () => {
  await Promise.all([...agents.values()].map((agent) => agent.close()));
  await gateway.stop();
});

async function agent(serverId: string): Promise<Client> {
  let client = agents.get(serverId);
  if (!client) {
    client = await connectAgent(gateway.entry(serverId));
    agents.set(serverId, client);
  }
  return client;
}

async function health(): Promise<{ status: string; servers: Record<string, { status: string }> }> {
  return (await (await fetch(`${gateway.baseUrl}/health`)).json()) as never;
}

async function rejection(promise: Promise<unknown>): Promise<McpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof McpError)) throw new Error(`expected an MCP error, got ${String(error)}`);
  return error;
}

describe("a backend that fails", () => {
  it("that never starts is reported on /health and fails calls with 'unavailable', without stopping the gateway", async () => {
    expect((await health()).servers.broken?.status).toBe("error");
    expect((await health()).status).toBe("unhealthy");
    const client = await agent("broken");
    const error = await rejection(client.callTool({ name: "echo", arguments: { message: "x" } }));
    expect(error.code).toBe(BACKEND_UNAVAILABLE);
    expect(error.message).toContain('backend "broken" could not start');
  });

  it("that is killed mid-call fails the call at once and is restarted on the next call", async () => {
    const client = await agent("crashy");
    await client.callTool({ name: "echo", arguments: { message: "warm up" } });
    const [pid] = childPids(EVERYTHING_SCRIPT, "crashy");
    expect(pid).toBeDefined();
    let started: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const call = client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 60, steps: 60 } }, undefined, {
      onprogress: () => started(),
      timeout: 120_000,
    });
    await inFlight;
    process.kill(pid!, "SIGKILL");
    const error = await rejection(call);
    expect(error.code).toBe(BACKEND_UNAVAILABLE);
    expect(error.message).toContain('backend "crashy" closed its connection during tools/call');
    expect((await health()).servers.crashy?.status).toBe("error");

    const again = await client.callTool({ name: "echo", arguments: { message: "back" } });
    expect(again.content).toEqual([{ type: "text", text: "Echo: back" }]);
    expect(childPids(EVERYTHING_SCRIPT, "crashy")).not.toContain(pid);
    expect((await health()).servers.crashy?.status).toBe("running");
  });

  it("that takes longer than its tool timeout fails the call with 'timeout' and keeps serving", async () => {
    const client = await agent("slow");
    const error = await rejection(client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 30, steps: 3 } }));
    expect(error.code).toBe(BACKEND_TIMEOUT);
    expect(error.message).toContain('backend "slow" did not answer tools/call within 2s');
    expect(gateway.logger.matching("did not answer tools/call within 2s (tool timeout)", "slow")).toHaveLength(1);
    const after = await client.callTool({ name: "echo", arguments: { message: "still here" } });
    expect(after.content).toEqual([{ type: "text", text: "Echo: still here" }]);
  });

  it("that hangs completely times out, is killed, and is replaced on the next call", async () => {
    const client = await agent("frozen");
    await client.callTool({ name: "echo", arguments: { message: "warm up" } });
    const [pid] = childPids(EVERYTHING_SCRIPT, "frozen");
    process.kill(pid!, "SIGSTOP");
    const error = await rejection(client.callTool({ name: "echo", arguments: { message: "anyone?" } }));
    expect(error.code).toBe(BACKEND_TIMEOUT);
    await vi.waitFor(() => expect(childPids(EVERYTHING_SCRIPT, "frozen")).not.toContain(pid), { timeout: 10_000 });
    const after = await client.callTool({ name: "echo", arguments: { message: "new process" } });
    expect(after.content).toEqual([{ type: "text", text: "Echo: new process" }]);
  });
});
