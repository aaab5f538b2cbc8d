import { fileURLToPath } from "node:url";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/config/defaults.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions } from "../support/gateway.ts";
import { stdioServer } from "../support/mcp-servers.ts";

// Attack: a stdio backend answer over the SDK's fixed 10 MiB read limit closed the whole
// connection ("closed its connection during tools/call (crashed or exited)"), failing every
// other call in flight on it. The limit now follows --max-message-size: an answer over it fails
// only its own call, with an error naming the limit, and the call in flight beside it is answered.
const LARGE_ANSWER_SCRIPT = fileURLToPath(new URL("../support/large-answer-server.ts", import.meta.url));

describe("a stdio backend's answer larger than one message may be", () => {
  it.each([
    [
      "over --max-message-size (64 KiB) fails only its own call",
      64 * 1024,
      100_000,
      /sent a message of 1000\d\d bytes, over the gateway's limit of 65536 bytes per message \(--max-message-size\)/,
    ],
    ["of 11 MiB, under the default 16 MiB, passes where the SDK's 10 MiB cut the connection", DEFAULT_LIMITS.maxMessageBytes, 11 * 1024 * 1024, undefined],
  ])("%s; the call in flight beside it is answered", async (_case, maxMessageBytes, bytes, refusal) => {
    const gateway = await runGateway(
      gatewayConfig([stdioServer("large", LARGE_ANSWER_SCRIPT)], { agentId: "large-agent" }),
      runtimeOptions({ limits: { ...DEFAULT_LIMITS, maxMessageBytes } }),
    );
    try {
      const client = await connectAgent(gateway.entry("large"));
      await client.listTools();
      const held = client.callTool({ name: "held", arguments: {} });
      const large = client.callTool({ name: "large", arguments: { bytes } }, undefined, { timeout: 30_000 });
      if (refusal) {
        await expect(large).rejects.toThrow(refusal);
      } else {
        const result = (await large) as CallToolResult;
        expect(result.isError).toBeFalsy();
        // Over the payload threshold: the gateway saved the answer and says where.
        expect(JSON.stringify(result.content)).toContain("payloadPath");
      }
      expect((await held).content).toEqual([{ type: "text", text: "held answered" }]);
      expect((await client.callTool({ name: "echo", arguments: { message: "still connected" } })).content).toEqual([{ type: "text", text: "still connected" }]);
      expect(gateway.stderr()).not.toContain("closed its connection");
      await client.close();
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  });
});
