import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connectAgent, gatewayConfig, runGateway, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

// The payload directory's default is /tmp/jq-payloads: another local user could create it first,
// as a link to a directory of theirs or as a directory anyone may write in, and then read every
// agent's spilled results or swap a session directory for a link between the gateway's check and
// its write. The gateway used to spill into whatever it found there; it now refuses such a
// directory, logs why and how to fix it, and hands the agent no path.
const CREDENTIAL = "payload-hijack-credential";
let gateway: RunningGateway | undefined;

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const attacks: Array<[string, (scratch: string) => { payloadDir: string; attackerDir: string }]> = [
  [
    "a symbolic link to the attacker's directory",
    (scratch) => {
      const attackerDir = join(scratch, "attacker");
      mkdirSync(attackerDir);
      symlinkSync(attackerDir, join(scratch, "payloads"));
      return { payloadDir: join(scratch, "payloads"), attackerDir };
    },
  ],
  [
    "a directory anyone may write in",
    (scratch) => {
      const payloadDir = join(scratch, "payloads");
      mkdirSync(payloadDir);
      chmodSync(payloadDir, 0o777);
      return { payloadDir, attackerDir: payloadDir };
    },
  ],
];

describe("a payload directory planted by someone else", () => {
  it.each(attacks)("refuses to spill into %s, and logs how to fix it", async (_what, plant) => {
    const scratch = mkdtempSync(join(tmpdir(), "flowgate-payload-hijack-"));
    const { payloadDir, attackerDir } = plant(scratch);
    gateway = await runGateway(gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT)], { agentId: CREDENTIAL, payloadDir, payloadSizeThreshold: 4096 }));
    const agent = await connectAgent({ ...gateway.entry("everything"), headers: { Authorization: CREDENTIAL } });
    try {
      await agent.listTools();
      const result = (await agent.callTool({ name: "echo", arguments: { message: "m".repeat(16 * 1024) } })) as { content: Array<{ text: string }> };
      expect(JSON.parse(result.content[0]!.text)).toMatchObject({ payloadPath: "", originalSize: expect.any(Number) });
    } finally {
      await agent.close();
    }
    expect(readdirSync(attackerDir)).toEqual([]);
    const refusal = gateway.logger.lines.find((line) => line.message.includes("refusing payload directory"));
    expect(refusal?.message).toMatch(/symbolic link; give payload_dir \(--payload-dir\)|writable by group or others \(mode 0777\); run chmod go-w/);
    expect(existsSync(payloadDir)).toBe(true);
  });
});
