import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { route, type RouterContext } from "../../src/gateway/http/router.ts";
import { SessionRegistry } from "../../src/gateway/http/session-registry.ts";
import { gatewayConfig, runtimeOptions } from "../support/gateway.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

// The answers of a gateway that is already shutting down, which a live gateway gives only on a
// connection kept alive across the start of its shutdown: the router with that state.
let server: Server;
let base: string;

beforeAll(async () => {
  const ctx: RouterContext = {
    config: gatewayConfig([]),
    runtime: runtimeOptions(),
    agentId: "agent",
    version: "1.0.0",
    startedAt: Date.now(),
    backends: new Map(),
    sessions: new SessionRegistry(60_000, () => undefined),
    logger: new RecordingLogger(),
    stderr: () => undefined,
    endpointFor: (path) =>
      path === "/mcp/x"
        ? {
            route: path,
            url: "",
            createSession: () => {
              throw new Error("no session may start during shutdown");
            },
          }
        : undefined,
    reflect: () => ({ agent: { secrecy: ["private"], integrity: [] } }),
    guardStatus: () => ({}),
    isShuttingDown: () => true,
    requestClose: () => false,
  };
  server = createServer((req, res) => void route(req, res, ctx));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("a gateway that is shutting down", () => {
  it.each([
    ["a second POST /close", "/close", 410, { error: "Gateway has already been closed" }],
    ["an authenticated MCP request", "/mcp/x", 503, { error: "Gateway is shutting down" }],
  ])("answers %s (POST %s) with %i", async (_case, path, status, body) => {
    const response = await fetch(`${base}${path}`, { method: "POST", headers: { Authorization: "agent" } });
    expect([response.status, await response.json()]).toEqual([status, body]);
  });

  it("still checks credentials first on MCP routes", async () => {
    const response = await fetch(`${base}/mcp/x`, { method: "POST" });
    expect(response.status).toBe(401);
  });

  it("serves /reflect from the snapshot provider", async () => {
    const body = (await (await fetch(`${base}/reflect`, { headers: { Authorization: "agent" } })).json()) as { agents: unknown };
    expect(body.agents).toEqual({ agent: { secrecy: ["private"], integrity: [] } });
  });
});
