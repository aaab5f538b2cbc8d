import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it, vi } from "vitest";
import { BACKEND_TIMEOUT } from "../../src/backends/errors.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions } from "../support/gateway.ts";
import { stdioServer } from "../support/mcp-servers.ts";
import { childPids } from "../support/processes.ts";

describe("the startup timeout", () => {
  it("fails the first call of a server that never answers initialize with 'timeout', and kills its process", async () => {
    const marker = "startup-timeout-silent";
    // Reads its stdin and never answers, not even initialize.
    const silent = stdioServer("silent", process.execPath, { args: ["-e", "process.stdin.resume()", marker] });
    const gateway = await runGateway(gatewayConfig([silent], { agentId: "timeout-agent", startupTimeout: 1 }), runtimeOptions());
    // Discovery at startup met the same timeout: no process is left from it.
    await vi.waitFor(() => expect(childPids(marker)).toEqual([]), { timeout: 3000 });
    const agent = await connectAgent(gateway.entry("silent"));
    const started = Date.now();
    const error = await agent.callTool({ name: "echo", arguments: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(BACKEND_TIMEOUT);
    expect((error as McpError).message).toContain('backend "silent" did not start within the startup timeout (1 s)');
    expect(Date.now() - started).toBeLessThan(5000);
    await vi.waitFor(() => expect(childPids(marker)).toEqual([]), { timeout: 3000 });
    await agent.close();
    expect(await gateway.stop()).toBe(0);
  });
});
