import { fileURLToPath } from "node:url";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOOLS_CALL_FAST_PATH_ENV } from "../../src/gateway/index.ts";
import { PAYLOAD_MARKER } from "../support/deep-answer-server.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { httpServer, startListeningScript, stdioServer } from "../support/mcp-servers.ts";

// Attack: a backend (compromised, or just broken) answers a call with a message the JSON-RPC
// message schema refuses: a result that is not an object, a member JSON-RPC does not define,
// both a result and an error. The SDK's transports dropped such an answer with an error nobody
// heard (stdio, SSE), so the agent waited out the tool timeout, or failed the POST with the
// schema's raw complaint and the gateway closed the connection, failing the calls beside it
// (JSON over HTTP). The call must fail at once with an error that names the backend and says
// what was wrong (without repeating its payload), the server's log must say so, and the call in
// flight beside it must be answered. The tool timeout is 60 s, past the test's own timeout.
const SCRIPT = fileURLToPath(new URL("../support/deep-answer-server.ts", import.meta.url));
const TOOL_TIMEOUT_S = 60;
const stops: Array<() => Promise<unknown>> = [];
const gateways: Record<"on" | "off", RunningGateway> = {} as never;

beforeAll(async () => {
  const json = await startListeningScript(SCRIPT, ["http", "json"]);
  stops.push(json.stop);
  const sse = await startListeningScript(SCRIPT, ["http", "sse"]);
  stops.push(sse.stop);
  const plain = await startListeningScript(SCRIPT, ["http", "plain"]);
  stops.push(plain.stop);
  const servers = [
    stdioServer("stdio", SCRIPT),
    httpServer("http-json", `http://127.0.0.1:${json.port}/mcp`),
    httpServer("http-sse", `http://127.0.0.1:${sse.port}/mcp`),
    httpServer("http-plain", `http://127.0.0.1:${plain.port}/mcp`),
  ];
  for (const fastPath of ["on", "off"] as const) {
    const gateway = await runGateway(gatewayConfig(servers, { toolTimeout: TOOL_TIMEOUT_S }), runtimeOptions(), {
      env: { [TOOLS_CALL_FAST_PATH_ENV]: fastPath },
    });
    stops.push(gateway.stop);
    gateways[fastPath] = gateway;
  }
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

const schemaBackends = ["stdio", "http-json", "http-sse"] as const;
const fastPaths = ["on", "off"] as const;
const kinds = [
  [
    "a result that is not an object",
    "result-not-object",
    /a result response the JSON-RPC message schema refuses \(result: .*expected object, received string\)/,
    /a result response the JSON-RPC message schema refuses \(result: invalid_type\)/,
  ],
  [
    "a member JSON-RPC does not define",
    "unknown-member",
    /a result response the JSON-RPC message schema refuses \(the message: Unrecognized key: "payload-marker-/,
    /a result response the JSON-RPC message schema refuses \(the message: unrecognized_keys\)/,
  ],
  ["both a result and an error", "result-and-error", /a response with both a result and an error/, /a response with both a result and an error/],
] as const;
const cases = [
  ...schemaBackends.flatMap((backend) =>
    fastPaths.flatMap((fastPath) => kinds.map(([what, kind, problem, logged]) => [what, backend, fastPath, kind, problem, logged] as const)),
  ),
  // The plain JSON-RPC transport takes the other two as the reference does: the result beside an
  // unknown member, the error beside a result.
  ...fastPaths.map((fastPath) => [kinds[0][0], "http-plain", fastPath, kinds[0][1], kinds[0][2], kinds[0][3]] as const),
];

/** Calls "bad" of `kind` with "held" in flight beside it: how the bad call ended, and held's answer. */
async function callBadBesideHeld(gateway: RunningGateway, serverId: string, kind: string): Promise<{ bad: CallToolResult | Error; held: CallToolResult }> {
  const agent = await connectAgent(gateway.entry(serverId));
  try {
    await agent.listTools();
    const held = agent.callTool({ name: "held", arguments: {} }, undefined, { timeout: TOOL_TIMEOUT_S * 1000 });
    const bad = await agent.callTool({ name: "bad", arguments: { kind } }, undefined, { timeout: TOOL_TIMEOUT_S * 1000 }).then(
      (result) => result as CallToolResult,
      (error: unknown) => error as Error,
    );
    return { bad, held: (await held) as CallToolResult };
  } finally {
    await agent.close();
  }
}

describe("a backend answer the JSON-RPC message schema refuses", () => {
  it.each(cases)(
    "fails its own call at once, naming the backend and what was wrong, and logs it without the backend's words; the call beside it is answered: %s, from %s, tools/call fast path %s",
    async (_what, backend, fastPath, kind, problem, loggedProblem) => {
      const gateway = gateways[fastPath];
      const { bad, held } = await callBadBesideHeld(gateway, backend, kind);
      const failure = bad instanceof Error ? bad : undefined;
      expect(failure?.message).toContain(`backend "${backend}" sent `);
      expect(failure?.message).toMatch(problem);
      // Bounded: a few words of the backend's own, never its payload (2000 markers).
      expect(failure?.message.length).toBeLessThan(600);
      expect(failure?.message).not.toContain(PAYLOAD_MARKER.repeat(20));
      expect(held.content).toEqual([{ type: "text", text: "held answered" }]);
      // The answer may be a tainted agent's call, and what the backend wrote may be what it read: the agent's error alone quotes it.
      const logged = gateway.logger.matching(`backend "${backend}" sent `, backend);
      expect(logged.some((line) => loggedProblem.test(line))).toBe(true);
      expect(logged.some((line) => line.includes(PAYLOAD_MARKER))).toBe(false);
    },
  );

  // Plain JSON-RPC reads one message per body, and takes a result whatever its id.
  it.each(schemaBackends.flatMap((backend) => fastPaths.map((fastPath) => [backend, fastPath] as const)))(
    "without a usable id is logged and dropped, and settles no call: from %s, tools/call fast path %s",
    async (backend, fastPath) => {
      const gateway = gateways[fastPath];
      const { bad, held } = await callBadBesideHeld(gateway, backend, "no-usable-id");
      expect(bad).toEqual({ content: [{ type: "text", text: "answered after a message with no usable id" }] });
      expect(held.content).toEqual([{ type: "text", text: "held answered" }]);
      const logged = gateway.logger.matching(`backend "${backend}" sent a result response`, backend);
      expect(
        logged.some((line) =>
          /its id is neither a string nor an integer; it answers no request of the gateway's \(no usable id\), so it was dropped/.test(line),
        ),
      ).toBe(true);
    },
  );
});
