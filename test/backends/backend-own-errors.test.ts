import { fileURLToPath } from "node:url";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions } from "../support/gateway.ts";
import { stdioServer } from "../support/mcp-servers.ts";

const SERVER_SCRIPT = fileURLToPath(new URL("../support/large-answer-server.ts", import.meta.url));

describe("a backend's own JSON-RPC error", () => {
  it("with code -32000 reaches the agent as the backend sent it, not as a crash, and the connection stays up", async () => {
    const gateway = await runGateway(gatewayConfig([stdioServer("busy", SERVER_SCRIPT)], { agentId: "busy-agent" }), runtimeOptions());
    try {
      const client = await connectAgent(gateway.entry("busy"));
      await client.listTools();
      const refusal = client.request({ method: "x/busy", params: {} }, z.object({}));
      await expect(refusal).rejects.toBeInstanceOf(McpError);
      await expect(refusal).rejects.toMatchObject({ code: -32000, message: expect.stringContaining("busy: try again later") });
      expect((await client.callTool({ name: "echo", arguments: { message: "still up" } })).content).toEqual([{ type: "text", text: "still up" }]);
      expect(gateway.stderr()).not.toContain("closed its connection");
      await client.close();
    } finally {
      await gateway.stop();
    }
  });
});
