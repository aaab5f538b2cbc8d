import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/config/defaults.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";
import { rawConnection } from "../support/raw-http.ts";

// Attack: a client that sends its request slowly, or never finishes it, held a connection (and
// the buffers of a half-read body) for as long as it liked. With --request-timeout 1s and
// --headers-timeout 500ms the gateway answers 408 and closes the connection.
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await runGateway(
    gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT)], { agentId: "slow-agent" }),
    runtimeOptions({ limits: { ...DEFAULT_LIMITS, requestTimeoutMs: 1000, headersTimeoutMs: 500 } }),
  );
});

afterAll(async () => {
  expect(await gateway.stop()).toBe(0);
});

const head = (extra: string) =>
  `POST /mcp/everything HTTP/1.1\r\nHost: ${new URL(gateway.baseUrl).host}\r\nAuthorization: slow-agent\r\n` +
  `Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n${extra}`;

describe("a request that does not arrive in time", () => {
  it.each([
    ["headers that never end", () => head("X-Still-Typing: 1\r\n")],
    ["a body shorter than its Content-Length", () => `${head("Content-Length: 1000\r\n\r\n")}{"jsonrpc":"2.0",`],
    ["a chunked body that never ends", () => `${head("Transfer-Encoding: chunked\r\n\r\n")}a\r\n{"jsonrpc"\r\n`],
  ])("is answered 408 and closed: %s", async (_case, sent) => {
    const started = performance.now();
    const { socket, answered } = rawConnection(gateway.baseUrl);
    socket.write(sent());
    const { response } = await answered;
    expect(response.status).toBe(408);
    expect(response.headers["connection"]).toBe("close");
    expect((JSON.parse(response.body) as { error: { message: string } }).error.message).toBe(
      "Request Timeout: the request's headers must arrive within 500 ms (--headers-timeout) and the whole request within 1000 ms (--request-timeout)",
    );
    // Node checks for expired requests every headers timeout / 4 here: well inside a few seconds.
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe("a call that runs longer than the request timeout", () => {
  it("is answered: the timeouts bound receiving the request, not the answer", async () => {
    const client = await connectAgent(gateway.entry("everything"));
    await client.listTools();
    const result = await client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 2, steps: 2 } });
    expect(result.content).toEqual([{ type: "text", text: "Long running operation completed. Duration: 2 seconds, Steps: 2." }]);
    await client.close();
  });
});
