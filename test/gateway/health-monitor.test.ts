import { describe, expect, it, vi } from "vitest";
import { quietObserver, type BackendEvent, type Observer } from "../../src/shared/index.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";
import { childPids } from "../support/processes.ts";

const AGENT = "health-agent";
const CHECK_MS = 200;

/** An observer that keeps what the backends report: launched, crashed, restarted, failed, in order. */
function backendEvents(): { observer: Observer; seen: Array<BackendEvent["what"]> } {
  const seen: Array<BackendEvent["what"]> = [];
  return { observer: { step: quietObserver.step, event: (event) => void (event.kind === "backend" && seen.push(event.what)) }, seen };
}

async function serverStatus(baseUrl: string, id: string): Promise<string | undefined> {
  const body = (await (await fetch(`${baseUrl}/health`)).json()) as { servers: Record<string, { status: string }> };
  return body.servers[id]?.status;
}

describe("the periodic health check", () => {
  it("relaunches a server whose process died, with no agent call, so /health shows it running again", async () => {
    const marker = "health-monitor-relaunch";
    const { observer, seen } = backendEvents();
    const gateway = await runGateway(
      gatewayConfig([stdioServer("a", EVERYTHING_SCRIPT, { args: [EVERYTHING_SCRIPT, "stdio", marker] })], { agentId: AGENT }),
      runtimeOptions(),
      { healthCheckIntervalMs: CHECK_MS, observer },
    );
    const agent = await connectAgent(gateway.entry("a"));
    await agent.callTool({ name: "echo", arguments: { message: "up" } });
    const [pid] = childPids(EVERYTHING_SCRIPT, marker);
    process.kill(pid!, "SIGKILL");
    await vi.waitFor(() => expect(gateway.logger.matching('Health check: server "a" relaunched')).toHaveLength(1), { timeout: 10_000 });
    expect(await serverStatus(gateway.baseUrl, "a")).toBe("running");
    // The failure stays visible after the relaunch, so an operator sees the server flapped.
    const health = (await (await fetch(`${gateway.baseUrl}/health`)).json()) as { servers: Record<string, Record<string, unknown>> };
    expect(health.servers["a"]).toMatchObject({ lastFailure: { reason: expect.any(String) }, healthCheck: { relaunches: 1, failedInARow: 0, gaveUp: false } });
    expect((await agent.callTool({ name: "echo", arguments: { message: "back" } })).content).toEqual([{ type: "text", text: "Echo: back" }]);
    // Discovery, the agent's connection, its crash, the health check's relaunch, the agent's new connection.
    expect(seen).toEqual(["launched", "launched", "crashed", "restarted", "launched"]);
    await agent.close();
    expect(await gateway.stop()).toBe(0);
  });

  it("gives up on a server after three failed relaunches in a row, leaving it in error", async () => {
    const { observer, seen } = backendEvents();
    const gateway = await runGateway(gatewayConfig([stdioServer("broken", "/nonexistent/flowgate-health-server")], { agentId: AGENT }), runtimeOptions(), {
      healthCheckIntervalMs: CHECK_MS,
      observer,
    });
    await vi.waitFor(() => expect(gateway.logger.matching('server "broken" reached max restart attempts (3)')).toHaveLength(1), { timeout: 10_000 });
    expect(gateway.logger.matching('Health check: server "broken" is in error state')).toHaveLength(3);
    // The start-up discovery's failure and the three relaunches'.
    expect(seen).toEqual(["failed", "failed", "failed", "failed"]);
    expect(await serverStatus(gateway.baseUrl, "broken")).toBe("error");
    expect(await gateway.stop()).toBe(0);
  });
});
