import { fileURLToPath } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RATE_LIMIT_CIRCUIT_OPEN } from "../../src/gateway/forward/circuit-breaker.ts";
import { openStateBackend, type StateBackend } from "../../src/state/index.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { stdioServer } from "../support/mcp-servers.ts";
import { NO_REDIS_REASON, REDIS_SERVER, startRedis, type RedisUnderTest } from "../support/redis.ts";

const RATE_LIMITED_SCRIPT = fileURLToPath(new URL("../support/rate-limited-server.ts", import.meta.url));

// Two gateways, each with its own rate-limited backend, sharing one redis-server: once one
// replica's breaker opens, the other refuses the server's calls too, until the same moment.
const clock = { now: Date.UTC(2026, 0, 1, 12, 0, 0) };

describe.skipIf(REDIS_SERVER === undefined)(
  REDIS_SERVER === undefined ? `circuit breakers shared by replicas (${NO_REDIS_REASON})` : "circuit breakers shared by replicas",
  () => {
    let redis: RedisUnderTest;
    const states: StateBackend[] = [];
    const gateways: RunningGateway[] = [];
    const agents: Client[] = [];

    beforeAll(async () => {
      redis = await startRedis();
      for (const name of ["a", "b"]) {
        const state = await openStateBackend(redis.url);
        states.push(state);
        const gateway = await runGateway(
          gatewayConfig([stdioServer("limited", RATE_LIMITED_SCRIPT, { rateLimitThreshold: 2, rateLimitCooldown: 60 })], { agentId: `agent-${name}` }),
          runtimeOptions(),
          { clock: () => clock.now, breakerBoard: state.breakerBoard! },
        );
        gateways.push(gateway);
        agents.push(await connectAgent(gateway.entry("limited")));
      }
    });

    afterAll(async () => {
      await Promise.all(agents.map((agent) => agent.close()));
      for (const gateway of gateways) expect(await gateway.stop()).toBe(0);
      await Promise.all(states.map((state) => state.close()));
      await redis?.stop();
    });

    const backendToolCalls = (gateway: RunningGateway) =>
      gateway.logger.rpcRecords.filter((record) => record.event === "rpc_request" && record.method === "tools/call").length;

    it("refuses a server's calls on every replica once one replica's breaker opened, and lets a probe through after the same moment", async () => {
      const [onA, onB] = agents as [Client, Client];
      const [gatewayA, gatewayB] = gateways as [RunningGateway, RunningGateway];
      for (const call of [1, 2]) {
        expect(await onA.callTool({ name: "search", arguments: {} })).toMatchObject({
          isError: true,
          content: [{ text: `API rate limit exceeded (call ${call})` }],
        });
      }
      expect(
        gatewayA.logger.matching('circuit breaker for server "limited" OPENED after 2 consecutive rate-limit errors; resets at 2026-01-01T12:01:00Z'),
      ).toHaveLength(1);

      clock.now += 10_000;
      const refused = await onB.callTool({ name: "search", arguments: {} }).catch((error: unknown) => error as { code?: number; message?: string });
      expect(refused).toMatchObject({ code: RATE_LIMIT_CIRCUIT_OPEN });
      expect((refused as { message: string }).message).toContain('rate limit circuit breaker is OPEN for server "limited"');
      expect(backendToolCalls(gatewayB)).toBe(0);
      expect(gatewayB.logger.matching('circuit breaker for server "limited" OPENED: another replica opened it; resets at 2026-01-01T12:01:00Z')).toHaveLength(
        1,
      );

      clock.now = Date.UTC(2026, 0, 1, 12, 1, 0);
      expect(await onB.callTool({ name: "echo", arguments: {} })).toMatchObject({ content: [{ text: "searches so far: 0" }] });
      expect(gatewayB.logger.matching('circuit breaker for server "limited" CLOSED: probe request succeeded')).toHaveLength(1);
    });
  },
);
