import { fileURLToPath } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAgent, gatewayConfig, runGateway, type RunningGateway } from "../support/gateway.ts";
import { stdioServer } from "../support/mcp-servers.ts";

// Attack: a backend answers, well under the message size limit, with a single run of one
// character of 6 MB ("bbbb…", "ghp_aaaa…"). The log sanitiser's token patterns (X{32,}) made V8
// push a backtrack entry per character and the call failed with "Maximum call stack size
// exceeded". The answer must come through, logged by the gateway's own file logger.
const LARGE_ANSWER_SCRIPT = fileURLToPath(new URL("../support/large-answer-server.ts", import.meta.url));
const RUN = 6_000_000;

let gateway: RunningGateway;
let client: Client;

beforeAll(async () => {
  gateway = await runGateway(gatewayConfig([stdioServer("large", LARGE_ANSWER_SCRIPT)]), undefined, { fileLogs: true, enforcement: undefined });
  client = await connectAgent(gateway.entry("large"));
  await client.listTools();
});

afterAll(async () => {
  await client?.close();
  expect(await gateway.stop()).toBe(0);
});

describe("an answer that is one long run of a character", () => {
  it.each([
    ["a run of one hex letter", "b".repeat(RUN)],
    ["a run shaped like a GitHub token", `ghp_${"a".repeat(RUN)}`],
    ["a run after a token key", `token: ${"x".repeat(RUN)}`],
  ])(
    "%s of 6 MB comes through to the agent",
    async (_case, message) => {
      const result = (await client.callTool({ name: "echo", arguments: { message } }, undefined, { timeout: 60_000 })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      // Over the payload threshold: the gateway saved the answer and says where.
      expect(JSON.stringify(result.content)).toContain("payloadPath");
    },
    120_000,
  );
});
