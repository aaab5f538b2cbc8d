import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";
import { rawRequest } from "../support/raw-http.ts";

const AGENT = "shutdown-agent";

function start(...ids: string[]): Promise<RunningGateway> {
  return runGateway(
    gatewayConfig(
      ids.map((id) => stdioServer(id, EVERYTHING_SCRIPT)),
      { agentId: AGENT },
    ),
    runtimeOptions(),
  );
}

/** Requests written back to back on one connection; the status of each answer, in order. */
function pipelined(baseUrl: string, requests: string[]): Promise<number[]> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("close", () => resolve([...text.matchAll(/HTTP\/1\.1 (\d{3}) /gu)].map((match) => Number(match[1]))));
    socket.on("error", reject);
    socket.write(requests.join(""));
  });
}

const closeRequest = (host: string, connection: string) =>
  `POST /close HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${AGENT}\r\nContent-Length: 0\r\nConnection: ${connection}\r\n\r\n`;

describe("gateway shutdown", () => {
  it("answers a second POST /close pipelined behind the first with 410", async () => {
    const gateway = await start("a");
    const host = new URL(gateway.baseUrl).host;
    expect(await pipelined(gateway.baseUrl, [closeRequest(host, "keep-alive"), closeRequest(host, "close")])).toEqual([200, 410]);
    expect(await gateway.exit).toBe(0);
  });

  it("keeps listening while in-flight calls drain, answering a new connection's MCP request with 503", async () => {
    const gateway = await start("a");
    const agent = await connectAgent(gateway.entry("a"));
    let started: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const call = agent.callTool({ name: "trigger-long-running-operation", arguments: { duration: 2, steps: 2 } }, undefined, { onprogress: () => started() });
    await inFlight;
    const close = await fetch(`${gateway.baseUrl}/close`, { method: "POST", headers: { Authorization: AGENT } });
    expect(close.status).toBe(200);
    // rawRequest opens a connection of its own, after the drain began.
    const late = await rawRequest(gateway.baseUrl, "POST", "/mcp/a", { Authorization: AGENT, "Content-Type": "application/json" }, "{}");
    expect([late.status, JSON.parse(late.body)]).toEqual([503, { error: "Gateway is shutting down" }]);
    expect((await call).content).toEqual([{ type: "text", text: expect.stringContaining("completed") }]);
    expect(await gateway.exit).toBe(0);
  });

  it("logs one termination line per server", async () => {
    const gateway = await start("a", "b");
    await fetch(`${gateway.baseUrl}/close`, { method: "POST", headers: { Authorization: AGENT } });
    expect(await gateway.exit).toBe(0);
    expect(gateway.logger.matching("Terminated server")).toEqual(["Terminated server a", "Terminated server b"]);
    expect(gateway.logger.matching("Terminated at gateway shutdown", "a")).toHaveLength(1);
  });
});
