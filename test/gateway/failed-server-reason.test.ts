import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayConfig, runGateway, type RunningGateway } from "../support/gateway.ts";
import { httpServer } from "../support/mcp-servers.ts";

const SECRET = "header-secret-4f1c9a";
let gateway: RunningGateway;
// A backend that refuses every request and, as some do, quotes the credential it was sent.
const refusing = createServer((req, res) => {
  res.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ error: `bad credential ${req.headers["x-api-token"] ?? ""}` }));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/mcp`;
  gateway = await runGateway(
    gatewayConfig([httpServer("refusing", url, { headers: { "X-Api-Token": SECRET }, connectTimeout: 2 })], { agentId: "health-agent" }),
  );
});

afterAll(async () => {
  await gateway.stop();
  await new Promise((resolve) => refusing.close(resolve));
});

describe("a server that fails to start", () => {
  it("is reported with its reason on stderr and /health, its configured header values redacted", async () => {
    const line = /Server refusing: failed: (.+)\n/.exec(gateway.stderr())?.[1];
    expect(line).toContain("401");
    expect(line).toContain("[REDACTED]");
    const health = (await (await fetch(`${gateway.baseUrl}/health`)).json()) as { status: string; servers: Record<string, { status: string; error?: string }> };
    expect(health.status).toBe("unhealthy");
    expect(health.servers["refusing"]).toMatchObject({ status: "error", error: line });
    expect(JSON.stringify(health)).not.toContain(SECRET);
    expect(gateway.stderr()).not.toContain(SECRET);
  });
});
