import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { demoConfig } from "../../demo/attack.ts";
import { DEFAULT_LIMITS } from "../../src/config/defaults.ts";
import type { GuardsMode, RuntimeOptions } from "../../src/config/types.ts";
import { POLICY_DENIED } from "../../src/enforce/index.ts";
import { displayedAgentId } from "../../src/gateway/http/auth.ts";
import { createGateway } from "../../src/gateway/index.ts";
import { connectAgent } from "../support/gateway.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

// The laundering attempt: one session reads private/api-keys.txt through the guarded filesystem
// server, then a new session with the same credential but another X-Agent-ID writes what was
// read to the public memory sink. X-Agent-ID is the client's own choice, so it must not give the
// credential a clean slate: the write is judged by the labels of the credential.
type Verdict = "allowed" | "blocked";

const cases: Array<[GuardsMode, RuntimeOptions["mode"], read: Verdict, launderedWrite: Verdict]> = [
  // strict and filter refuse the read itself and never taint: the sub-agent has nothing to leak
  ["strict", "routed", "blocked", "allowed"],
  ["strict", "unified", "blocked", "allowed"],
  ["filter", "routed", "blocked", "allowed"],
  ["filter", "unified", "blocked", "allowed"],
  // propagate lets the read through and taints the credential, so the sub-agent's write is refused
  ["propagate", "routed", "allowed", "blocked"],
  ["propagate", "unified", "allowed", "blocked"],
];

const SECRET = "demo-sk-4f8a1c2e9b7d";

async function verdictOf(call: Promise<unknown>): Promise<{ verdict: Verdict; text: string }> {
  try {
    const result = (await call) as { content?: Array<{ text?: string }> };
    return { verdict: "allowed", text: (result.content ?? []).map((item) => item.text ?? "").join("\n") };
  } catch (error) {
    if (!(error instanceof McpError) || error.code !== POLICY_DENIED) throw error;
    return { verdict: "blocked", text: "" };
  }
}

describe("taint laundering through X-Agent-ID", () => {
  it.each(cases)(
    "%s mode, %s: a sub-agent starts from its credential's labels, so the secret never reaches the sink",
    async (mode, routing, readVerdict, writeVerdict) => {
      const scratch = await mkdtemp(join(tmpdir(), "flowgate-launder-"));
      const { config, workspace, memoryFile } = await demoConfig(mode, scratch);
      const runtime: RuntimeOptions = {
        configSource: "test",
        listenHost: "127.0.0.1",
        listenPort: 0,
        mode: routing,
        logDir: join(scratch, "logs"),
        verbosity: 0,
        guardsMode: mode,
        sinkServerIds: [],
        urlDomainAudit: false,
        sessionTimeoutMs: 60_000,
        shutdownTimeoutMs: 1000,
        limits: DEFAULT_LIMITS,
      };
      const running = await createGateway(config, runtime, {
        io: { out: () => undefined, err: () => undefined },
        env: {},
        version: "test",
        logger: new RecordingLogger(),
      });
      const base = `http://127.0.0.1:${running.port}`;
      const credential = running.agentId;
      const url = (serverId: string) => (routing === "routed" ? `${base}/mcp/${serverId}` : `${base}/mcp`);
      const tool = (serverId: string, name: string) => (routing === "routed" ? name : `${serverId}___${name}`);
      const reader = await connectAgent({ type: "http", url: url("files"), headers: { Authorization: credential } });
      const launderer = await connectAgent({ type: "http", url: url("memory"), headers: { Authorization: credential, "X-Agent-ID": "agent-b" } });
      try {
        // The reader does not list tools first, as demo/attack.ts does not: the enforced result of
        // read_text_file is reshaped without the structuredContent its output schema promises, which
        // the SDK client refuses once it has seen that schema (a separate, known problem).
        await launderer.listTools();
        const read = await verdictOf(reader.callTool({ name: tool("files", "read_text_file"), arguments: { path: join(workspace, "private/api-keys.txt") } }));
        expect(read.verdict).toBe(readVerdict);
        if (read.verdict === "allowed") expect(read.text).toContain(SECRET);
        const write = await verdictOf(
          launderer.callTool({
            name: tool("memory", "create_entities"),
            arguments: { entities: [{ name: "keys", entityType: "note", observations: [read.text || "(the read was refused)"] }] },
          }),
        );
        expect(write.verdict).toBe(writeVerdict);
        expect(await readFile(memoryFile, "utf8").catch(() => "")).not.toContain(SECRET);

        // One agent on /reflect: the credential's digest, holding whatever the sub-agent's reads added.
        const reflect = (await (await fetch(`${base}/reflect`, { headers: { Authorization: credential } })).json()) as {
          agents: Record<string, { secrecy: string[] }>;
        };
        expect(Object.keys(reflect.agents)).toEqual([displayedAgentId(credential)]);
        expect(reflect.agents[displayedAgentId(credential)]!.secrecy).toEqual(mode === "propagate" ? ["private:demo/private"] : []);
      } finally {
        await reader.close().catch(() => undefined);
        await launderer.close().catch(() => undefined);
        await running.close(1000);
        await rm(scratch, { recursive: true, force: true });
      }
    },
  );
});
