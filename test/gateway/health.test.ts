// What /health tells an operator beyond the reference's document (docs/compatibility.md): the
// gateway's uptime, each server's tools, latest failure and health-check relaunches, and its
// guard's instance pool. /health needs no credential, so none of it may name the agent.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_POOL_SIZE } from "../../src/guard/limits.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, TEST_VERSION, type RunningGateway } from "../support/gateway.ts";
import { builtGuardPath } from "../support/guards.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

const AGENT = "health-document-agent-key";
const CHECK_MS = 100;

interface Health {
  status: string;
  specVersion: string;
  gatewayVersion: string;
  uptime: number;
  servers: Record<string, Record<string, unknown>>;
}

let gateway: RunningGateway;
let health: Health;
let allowedTools: number;

beforeAll(async () => {
  const config = gatewayConfig(
    [stdioServer("guarded", EVERYTHING_SCRIPT, { guard: "pass" }), stdioServer("broken", "/nonexistent/flowgate-health-document-server")],
    { agentId: AGENT },
  );
  config.guards = { pass: { type: "wasm", path: builtGuardPath("passthrough"), policy: { "allow-only": { repos: "all", "min-integrity": "none" } } } };
  gateway = await runGateway(config, runtimeOptions(), { enforcement: undefined, healthCheckIntervalMs: CHECK_MS });
  const agent = await connectAgent(gateway.entry("guarded"));
  allowedTools = (await agent.listTools()).tools.length;
  await agent.close();
  await vi.waitFor(() => expect(gateway.logger.matching('server "broken" reached max restart attempts (3)')).toHaveLength(1), { timeout: 10_000 });
  const answer = await fetch(`${gateway.baseUrl}/health`);
  health = (await answer.json()) as Health;
});

afterAll(async () => {
  expect(await gateway.stop()).toBe(0);
});

describe("/health for operators", () => {
  it("keeps the reference's document: status, specVersion, gatewayVersion, and each server's status and uptime", () => {
    expect(health).toMatchObject({ status: "unhealthy", specVersion: "1.14.0", gatewayVersion: TEST_VERSION });
    expect(health.servers["guarded"]).toMatchObject({ status: "running", uptime: expect.any(Number) });
    expect(health.servers["broken"]).toMatchObject({ status: "error", uptime: 0 });
  });

  it.each([
    {
      addition: "the gateway's uptime in whole seconds",
      actual: () => health.uptime,
      expected: expect.toSatisfy((uptime: number) => Number.isInteger(uptime) && uptime >= 0 && uptime < 600),
    },
    {
      addition: "each server's number of tools agents may call",
      actual: () => [health.servers["guarded"]?.["tools"], health.servers["broken"]?.["tools"]],
      expected: [expect.toSatisfy((tools: number) => tools > 0 && tools === allowedTools), 0],
    },
    {
      addition: "a failed server's latest failure, when and why",
      actual: () => health.servers["broken"]?.["lastFailure"],
      expected: {
        at: expect.toSatisfy((at: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(at) && Math.abs(Date.parse(at) - Date.now()) < 600_000),
        reason: expect.stringContaining("launch failed"),
      },
    },
    {
      addition: "no latest failure for a server that never failed",
      actual: () => "lastFailure" in (health.servers["guarded"] ?? {}),
      expected: false,
    },
    {
      addition: "the health check's relaunches of a failed server, and that it gave up",
      actual: () => health.servers["broken"]?.["healthCheck"],
      expected: { relaunches: 3, failedInARow: 3, gaveUp: true },
    },
    {
      addition: "no relaunches of a running server",
      actual: () => health.servers["guarded"]?.["healthCheck"],
      expected: { relaunches: 0, failedInARow: 0, gaveUp: false },
    },
    {
      addition: "a WASM guard's name, state and instance pool",
      actual: () => health.servers["guarded"]?.["guard"],
      expected: expect.objectContaining({ name: "pass", state: "healthy", pool: { size: DEFAULT_POOL_SIZE, busy: 0, waiting: 0 } }),
    },
    {
      addition: "no agent credential anywhere (/health needs none)",
      actual: () => JSON.stringify(health).includes(AGENT),
      expected: false,
    },
  ])("shows $addition", ({ actual, expected }) => {
    expect(actual()).toEqual(expected);
  });
});
