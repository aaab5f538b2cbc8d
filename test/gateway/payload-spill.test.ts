import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { displayedAgentId } from "../../src/gateway/http/auth.ts";
import { connectAgent, gatewayConfig, runGateway, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

const payloadDir = mkdtempSync(join(tmpdir(), "flowgate-spill-"));
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await runGateway(gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT)], { agentId: "spill-agent", payloadDir, payloadSizeThreshold: 4096 }));
});

afterAll(async () => {
  expect(await gateway.stop()).toBe(0);
});

describe("large tool results through the gateway", () => {
  it("spills a result over the threshold to payloadDir and answers with the metadata document", async () => {
    const agent = await connectAgent(gateway.entry("everything"));
    const message = "m".repeat(1024 * 1024);
    const result = (await agent.callTool({ name: "echo", arguments: { message } })) as { content: Array<{ text: string }> };
    const document = JSON.parse(result.content[0]!.text) as { payloadPath: string; originalSize: number; payloadSchema: unknown };
    expect(document.payloadPath.startsWith(join(payloadDir, displayedAgentId("spill-agent")))).toBe(true);
    const saved = JSON.parse(readFileSync(document.payloadPath, "utf8")) as { content: Array<{ text: string }> };
    expect(saved.content[0]!.text).toContain(message);
    expect(document.originalSize).toBe(Buffer.byteLength(JSON.stringify(saved)));
    await agent.close();
  });

  it("returns a result under the threshold unchanged", async () => {
    const agent = await connectAgent(gateway.entry("everything"));
    const result = (await agent.callTool({ name: "echo", arguments: { message: "small" } })) as { content: Array<{ text: string }> };
    expect(result.content[0]!.text).toContain("small");
    await agent.close();
  });
});
