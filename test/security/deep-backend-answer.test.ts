import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { builtGuardPath } from "../support/guards.ts";
import { stdioServer } from "../support/mcp-servers.ts";

// A backend (compromised, or relaying what it fetched) answers with JSON nested hundreds of
// thousands of levels deep. The client's own messages are measured before anything walks them;
// a backend's answer is parsed by the MCP SDK and walked by the guard encoding and the log
// formatters, which overflowed the stack: the call failed with "Maximum call stack size exceeded".
// It must fail closed with an error that says what happened, and the session must go on.
const DEEP_SCRIPT = fileURLToPath(new URL("../support/deep-answer-server.ts", import.meta.url));
const AGENT = "deep-answer-agent";
let gateway: RunningGateway;

beforeAll(async () => {
  const config = gatewayConfig([stdioServer("plain", DEEP_SCRIPT), stdioServer("guarded", DEEP_SCRIPT, { guard: "pass" })], { agentId: AGENT });
  config.guards = { pass: { type: "wasm", path: builtGuardPath("passthrough"), policy: { "allow-only": { repos: "all", "min-integrity": "none" } } } };
  gateway = await runGateway(config, runtimeOptions(), { enforcement: undefined });
});

afterAll(async () => {
  await gateway.stop();
});

describe("a backend answer nested hundreds of thousands of levels deep", () => {
  it.each([
    ["without a guard", "plain"],
    ["behind a guard", "guarded"],
  ])("%s fails only its own call, with an error that says why", async (_how, serverId) => {
    const agent = await connectAgent({ ...gateway.entry(serverId), headers: { Authorization: AGENT } });
    try {
      await agent.listTools();
      const failure = await agent.callTool({ name: "deep", arguments: { depth: 200_000 } }).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failure?.message).toMatch(/nests? .*too deep|more than \d+ levels/i);
      expect(failure?.message).not.toMatch(/Maximum call stack/);
      const next = (await agent.callTool({ name: "flat", arguments: {} })) as { content: Array<{ text: string }> };
      expect(next.content[0]?.text).toBe("flat answer");
    } finally {
      await agent.close();
    }
  });
});
