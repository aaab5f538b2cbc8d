import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoConfig } from "../../demo/attack.ts";
import { displayedAgentId } from "../../src/gateway/http/auth.ts";
import { createGateway } from "../../src/gateway/index.ts";
import { connectAgent, runtimeOptions } from "../support/gateway.ts";
import { RecordingLogger } from "../support/recording-logger.ts";
import { rawRequest } from "../support/raw-http.ts";

// /reflect listed every agent under its id, and an agent id was the Authorization value: anyone
// who could reach /reflect (a rebinding page included) read the credential. /reflect now asks for
// the credential, and every agent id shown (/reflect, log lines, refusals) is a keyed digest of it.
const CREDENTIAL = "reflect-test-credential-7c1e";
const logger = new RecordingLogger();
let scratch: string;
let running: Awaited<ReturnType<typeof createGateway>>;
let base: string;
let files: Client;
let memory: Client;
let refusal: unknown;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "flowgate-reflect-"));
  const demo = await demoConfig("propagate", scratch);
  demo.config.gateway.agentId = CREDENTIAL;
  running = await createGateway(demo.config, runtimeOptions({ guardsMode: "propagate" }), {
    io: { out: () => undefined, err: () => undefined },
    env: {},
    version: "test",
    logger,
  });
  base = `http://127.0.0.1:${running.port}`;
  files = await connectAgent({ type: "http", url: `${base}/mcp/files`, headers: { Authorization: CREDENTIAL } });
  memory = await connectAgent({ type: "http", url: `${base}/mcp/memory`, headers: { Authorization: CREDENTIAL } });
  // A private read taints the agent (its entry on /reflect); the write after it is refused (a DENIED log line).
  await files.callTool({ name: "read_text_file", arguments: { path: join(demo.workspace, "private/salaries.md") } });
  refusal = await memory
    .callTool({ name: "create_entities", arguments: { entities: [{ name: "n", entityType: "t", observations: ["x"] }] } })
    .catch((error: unknown) => error);
});

afterAll(async () => {
  await files.close().catch(() => undefined);
  await memory.close().catch(() => undefined);
  await running.close(1000);
  await rm(scratch, { recursive: true, force: true });
});

describe("the credential on /reflect", () => {
  it.each([
    ["a rebound Host", { Host: "attacker.example" }, 403],
    ["no Authorization", {}, 401],
    ["a wrong credential", { Authorization: "guess" }, 401],
  ])("refuses /reflect to a request with %s", async (_what, headers: Record<string, string>, status) => {
    const response = await rawRequest(base, "GET", "/reflect", headers);
    expect(response.status).toBe(status);
    expect(response.body).not.toContain(CREDENTIAL);
  });

  it("names the agent by the credential's digest on /reflect and in log lines, never by the credential", async () => {
    const response = await rawRequest(base, "GET", "/reflect", { Authorization: CREDENTIAL });
    expect(response.status).toBe(200);
    expect(response.body).not.toContain(CREDENTIAL);
    const digest = displayedAgentId(CREDENTIAL);
    expect(digest).toMatch(/^[0-9a-f]{16}$/);
    expect(Object.keys((JSON.parse(response.body) as { agents: object }).agents)).toEqual([digest]);
    expect(refusal).toBeInstanceOf(McpError);
    expect(logger.matching(`Access DENIED for agent ${digest} `, "memory")).toHaveLength(1);
    expect(JSON.stringify([logger.lines, logger.rpcRecords, logger.filtered, String(refusal)])).not.toContain(CREDENTIAL);
  });
});
