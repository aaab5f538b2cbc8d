import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayConfig } from "../../src/config/types.ts";
import { GUARD_FAILED, TOOL_CALL_LIMIT_REACHED } from "../../src/enforce/index.ts";
import { createGateway } from "../../src/gateway/index.ts";
import { gatewayConfig, runtimeOptions } from "../support/gateway.ts";
import { builtGuardPath } from "../support/guards.ts";
import { EVERYTHING_SCRIPT, MEMORY_SCRIPT, stdioServer } from "../support/mcp-servers.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

const AGENT = "enforce-test-agent";
const FILESYSTEM_SCRIPT = fileURLToPath(new URL("../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js", import.meta.url));
const workspace = mkdtempSync(join(tmpdir(), "flowgate-enforce-"));
cpSync(fileURLToPath(new URL("../../demo/workspace", import.meta.url)), workspace, { recursive: true });

function config(): GatewayConfig {
  const base = gatewayConfig(
    [
      // behind a guard that traps on "TRIP" and never returns on "SPIN"
      stdioServer("tripwire", EVERYTHING_SCRIPT, { guard: "tripwire", toolTimeout: 2 }),
      // noop guard with a budget of two echo calls per agent
      stdioServer("limited", EVERYTHING_SCRIPT, {
        guardPolicies: { "allow-only": { repos: "all", "min-integrity": "none", "tool-call-limits": { echo: 2 } } },
      }),
      // the demo's filesystem guard, in propagate mode: reads taint the reading agent
      stdioServer("files", FILESYSTEM_SCRIPT, { guard: "files", args: [FILESYSTEM_SCRIPT, workspace] }),
      // a public sink: an agent holding any secrecy tag may not write to it
      stdioServer("sink", MEMORY_SCRIPT, {
        env: { MEMORY_FILE_PATH: join(workspace, "memory.jsonl") },
        guardPolicies: { "write-sink": { accept: ["demo"], "sink-visibility": "public" } },
      }),
    ],
    { agentId: AGENT },
  );
  base.guards = {
    tripwire: { type: "wasm", path: builtGuardPath("tripwire"), policy: { "allow-only": { repos: "all", "min-integrity": "none" } } },
    files: {
      type: "wasm",
      path: builtGuardPath("filesystem"),
      config: { "fs-scope": "demo", "fs-private": ["private"], "fs-mode": "propagate" },
      policy: { "allow-only": { repos: "all", "min-integrity": "none" } },
    },
  };
  return base;
}

let running: Awaited<ReturnType<typeof createGateway>>;
const logger = new RecordingLogger();
const clients: Client[] = [];

async function connect(serverId: string, agentId?: string): Promise<Client> {
  const headers: Record<string, string> = { Authorization: AGENT, ...(agentId ? { "X-Agent-ID": agentId } : {}) };
  const client = new Client({ name: "enforce-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${running.port}/mcp/${serverId}`), { requestInit: { headers } }));
  clients.push(client);
  // As real clients do: the SDK then checks each result against the tool's output schema.
  await client.listTools();
  return client;
}

async function errorOf(call: Promise<unknown>): Promise<McpError> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
}

const echo = (client: Client, message: string) => client.callTool({ name: "echo", arguments: { message } });

beforeAll(async () => {
  running = await createGateway(config(), runtimeOptions({ guardsMode: "strict", sinkServerIds: ["files"] }), {
    io: { out: () => undefined, err: () => undefined },
    env: {},
    version: "test",
    logger,
  });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  await running.close(1000);
});

describe("the enforcement pipeline", () => {
  it.each([
    ["traps", "TRIP"],
    ["never returns", "SPIN"],
  ])("fails a call closed when its guard %s, and serves the next call", async (_what, marker) => {
    const client = await connect("tripwire");
    const failure = await errorOf(echo(client, `please ${marker} now`));
    expect(failure.code).toBe(GUARD_FAILED);
    expect(failure.message).toContain("guard labeling failed");
    expect(failure.message).toContain("tripwire");
    const after = await echo(client, "hello again");
    expect(JSON.stringify(after)).toContain("hello again");
    expect(running.enforcement!.guardStatus()["tripwire"]!.failures).toBeGreaterThan(0);
  });

  it("counts tool calls per credential, across its sub-agents, and refuses the one past the limit with its own error code", async () => {
    const first = await connect("limited", "budget-agent-1");
    await echo(first, "one");
    await echo(first, "two");
    const refused = await errorOf(echo(first, "three"));
    expect(refused.code).toBe(TOOL_CALL_LIMIT_REACHED);
    expect(refused.message).toContain('tool call limit reached for "echo" (max: 2)');
    // another X-Agent-ID is a sub-agent of the same credential: no fresh budget
    const second = await connect("limited", "budget-agent-2");
    expect((await errorOf(echo(second, "fresh"))).code).toBe(TOOL_CALL_LIMIT_REACHED);
  });

  // In order, on the one credential of this file, before anything else here reads a private file.
  it.each([
    ["nothing of a public read by an agent holding nothing", "README.md", "Acme launch workspace", { request: undefined, response: undefined }],
    ["the answer of a private read, whose labels carry secrecy tags", "private/salaries.md", "182,000", { request: undefined, response: true }],
    [
      "the arguments of a call by an agent that read a secret (they may carry it), and its answer (which may echo them)",
      "README.md",
      "Acme launch workspace",
      { request: true, response: true },
    ],
  ])("marks as sensitive, for the log files, %s", async (_name, path, answerText, sensitive) => {
    const client = await connect("files");
    const before = logger.rpcRecords.length;
    await client.callTool({ name: "read_text_file", arguments: { path: join(workspace, path) } });
    const records = logger.rpcRecords.slice(before);
    const request = records.find((record) => record.event === "rpc_request" && JSON.stringify(record.payload).includes(join(workspace, path)));
    const response = records.find((record) => record.event === "rpc_response" && JSON.stringify(record.payload).includes(answerText));
    expect({ request: request?.sensitive, response: response?.sensitive }).toEqual(sensitive);
    expect([request, response].every((record) => record !== undefined)).toBe(true);
  });

  it("marks as sensitive the arguments and answer of a call no guard labels (tools/list) by an agent that read a secret", async () => {
    const client = await connect("files");
    const before = logger.rpcRecords.length;
    await client.listTools();
    const records = logger.rpcRecords.slice(before).filter((record) => record.serverId === "files");
    expect(records.map((record) => [record.event, record.sensitive])).toEqual([
      ["rpc_request", true],
      ["rpc_response", true],
    ]);
  });

  it("marks as sensitive the answer of a guard's own call to the backend, which nothing labels", () => {
    // The filesystem guard asked the server for its root when the first call above reached "files".
    const answers = logger.rpcRecords.filter((record) => record.event === "rpc_response" && JSON.stringify(record.payload).includes("Allowed directories"));
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.map((record) => record.sensitive)).toEqual(answers.map(() => true));
  });

  it("logs a sink server's exchanges with the caller's labels at call time", async () => {
    await (await connect("files", "tainted-agent")).callTool({ name: "read_text_file", arguments: { path: join(workspace, "private/salaries.md") } });
    // "files" is a sink server id: its exchanges are logged with the caller's labels at call time
    await (await connect("files", "tainted-agent")).callTool({ name: "read_text_file", arguments: { path: join(workspace, "README.md") } });
    const logged = logger.rpcRecords.filter(
      (record) => record.event === "rpc_request" && record.serverId === "files" && JSON.stringify(record.payload).includes("README.md"),
    );
    expect(logged.at(-1)?.agentSecrecy).toEqual(["private:demo/private"]);
  });
});
