// tool_response_filters through the gateway: server-everything over stdio, the SDK client as the
// agent, jq in the gateway's worker threads.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeOptions } from "../../src/config/types.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

/** Long enough that a filter on a ready worker never meets it; short enough to wait for once. */
const JQ_TIMEOUT_MS = 4000;

const filters = {
  "get-env": "{pick: .FLOWGATE_PICK}",
  echo: '{content: [{type: "text", text: (.content[0].text | ascii_upcase)}]}',
  "get-sum": ".content[0].text, .content[0].text",
  "get-annotated-message": "def spin: spin; spin",
};

type Mode = RuntimeOptions["mode"];
const gateways = new Map<Mode, RunningGateway>();
/** One agent per gateway, shared by the tests: each agent session spawns its own backend. */
const agents = new Map<Mode, Client>();

beforeAll(async () => {
  await Promise.all(
    (["routed", "unified"] as const).map(async (mode) => {
      const server = stdioServer("everything", EVERYTHING_SCRIPT, { env: { FLOWGATE_PICK: "picked" }, toolResponseFilters: filters });
      const gateway = await runGateway(gatewayConfig([server], { agentId: `filter-${mode}` }), runtimeOptions({ mode }), { jqTimeoutMs: JQ_TIMEOUT_MS });
      gateways.set(mode, gateway);
      agents.set(mode, await connectAgent(Object.values(gateway.document.mcpServers)[0]!));
    }),
  );
});

afterAll(async () => {
  for (const agent of agents.values()) await agent.close();
  for (const gateway of gateways.values()) expect(await gateway.stop()).toBe(0);
});

function agentFor(mode: Mode): { agent: Client; tool: (name: string) => string } {
  return { agent: agents.get(mode)!, tool: (name) => (mode === "routed" ? name : `everything___${name}`) };
}

type TextResult = { content: Array<{ type: string; text: string }> };

describe("tool response filters", () => {
  it.each(["routed", "unified"] as const)("replace JSON text with the filter's single output (%s mode)", async (mode) => {
    const { agent, tool } = agentFor(mode);
    const result = (await agent.callTool({ name: tool("get-env"), arguments: {} })) as TextResult;
    expect(result.content).toEqual([{ type: "text", text: '{"pick":"picked"}' }]);
  });

  it("run on the whole result when the text is not JSON, and rebuild the content from the output", async () => {
    const { agent } = agentFor("routed");
    const result = (await agent.callTool({ name: "echo", arguments: { message: "hello https://x.example" } })) as TextResult;
    expect(result.content).toEqual([{ type: "text", text: "ECHO: HELLO HTTPS://X.EXAMPLE" }]);
    // without --url-domain-audit nothing is recorded
    expect(gateways.get("routed")!.logger.urlDomains).toEqual([]);
  });

  it("leave the result unfiltered and warn when the filter yields two outputs", async () => {
    const { agent } = agentFor("routed");
    const result = (await agent.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } })) as TextResult;
    expect(result.content).toEqual([{ type: "text", text: "The sum of 1 and 2 is 3." }]);
    expect(gateways.get("routed")!.logger.lines).toContainEqual(
      expect.objectContaining({ level: "warn", category: "payload", message: expect.stringMatching(/tool=get-sum, .*returned multiple results/) }),
    );
  });

  it("stop a filter that never ends at the timeout while other calls are served", async () => {
    const { agent } = agentFor("routed");
    // Two filtered calls at once boot both jq workers, so the next filtered call finds one idle.
    await Promise.all([1, 2].map(() => agent.callTool({ name: "get-env", arguments: {} })));
    let spinning = true;
    const spin = agent.callTool({ name: "get-annotated-message", arguments: { messageType: "success" } }).finally(() => (spinning = false));

    const [filtered, unfiltered] = (await Promise.all([
      agent.callTool({ name: "get-env", arguments: {} }),
      agent.callTool({ name: "get-resource-reference", arguments: {} }),
    ])) as TextResult[];
    expect(spinning).toBe(true);
    expect(filtered!.content[0]!.text).toBe('{"pick":"picked"}');
    expect(unfiltered!.content.length).toBeGreaterThan(0);

    const stopped = (await spin) as TextResult;
    expect(stopped.content[0]!.text).toBe("Operation completed successfully");
    expect(gateways.get("routed")!.logger.matching("tool=get-annotated-message")).toEqual([expect.stringContaining(`timed out after ${JQ_TIMEOUT_MS} ms`)]);
    // The worker that was stopped has been replaced: filters still run.
    const after = (await agent.callTool({ name: "get-env", arguments: {} })) as TextResult;
    expect(after.content[0]!.text).toBe('{"pick":"picked"}');
  });
});
