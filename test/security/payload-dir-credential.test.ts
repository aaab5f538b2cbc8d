import { chmodSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { displayedAgentId } from "../../src/gateway/http/auth.ts";
import { connectAgent, gatewayConfig, runGateway, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

// A large result was spilled to <payloadDir>/<agent id>/…, mode 0755, and an agent id was the
// Authorization value: the credential sat in a world-listable directory name and in the
// payloadPath every agent is handed. The directory is now named by the agent's digest, mode 0700.
const CREDENTIAL = "payload-test-credential-51d9";
const payloadDir = mkdtempSync(join(tmpdir(), "flowgate-payload-credential-"));
let gateway: RunningGateway;

beforeAll(async () => {
  // The credential's directory as an earlier run left it, world-listable: it is narrowed too.
  const earlier = join(payloadDir, displayedAgentId(CREDENTIAL));
  mkdirSync(earlier);
  chmodSync(earlier, 0o755);
  gateway = await runGateway(gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT)], { agentId: CREDENTIAL, payloadDir, payloadSizeThreshold: 4096 }));
});

afterAll(async () => {
  await gateway.stop();
});

/** The directory a large result of a session with these extra headers lands in, under payloadDir. */
async function spilledAgentDir(headers: Record<string, string>): Promise<{ payloadPath: string; agentDir: string }> {
  const agent = await connectAgent({ ...gateway.entry("everything"), headers: { Authorization: CREDENTIAL, ...headers } });
  try {
    await agent.listTools();
    const result = (await agent.callTool({ name: "echo", arguments: { message: "m".repeat(16 * 1024) } })) as { content: Array<{ text: string }> };
    const { payloadPath } = JSON.parse(result.content[0]!.text) as { payloadPath: string };
    return { payloadPath, agentDir: relative(payloadDir, payloadPath).split(sep)[0]! };
  } finally {
    await agent.close();
  }
}

describe("the credential in payload directory names", () => {
  const digest = displayedAgentId(CREDENTIAL);
  it.each([
    ["the credential's own session", {}, new RegExp(`^${digest}$`)],
    ["a sub-agent (X-Agent-ID)", { "X-Agent-ID": "agent-b" }, new RegExp(`^${digest}-[0-9a-f]{16}$`)],
    ["a sub-agent that names itself by the credential", { "X-Agent-ID": CREDENTIAL }, new RegExp(`^${digest}-[0-9a-f]{16}$`)],
  ])("names the payload directory of %s by digest, readable by the gateway's user only", async (_who, headers: Record<string, string>, name) => {
    const { payloadPath, agentDir } = await spilledAgentDir(headers);
    expect(payloadPath).not.toContain(CREDENTIAL);
    expect(payloadPath).not.toContain("agent-b");
    expect(agentDir).toMatch(name);
    expect(statSync(join(payloadDir, agentDir)).mode & 0o777).toBe(0o700);
  });

  it("gives each sub-agent a directory of its own", async () => {
    const [mine, theirs] = [await spilledAgentDir({ "X-Agent-ID": "agent-b" }), await spilledAgentDir({ "X-Agent-ID": "agent-c" })];
    expect(mine.agentDir).not.toBe(theirs.agentDir);
  });
});
