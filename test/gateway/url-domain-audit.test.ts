// --url-domain-audit end to end: the enforced gateway with its real log files, server-everything
// and server-memory (a write-sink) over stdio, and the SDK client as the agent.
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway } from "../../src/gateway/index.ts";
import { openFileLogger, type FileLogger } from "../../src/log/file-logger.ts";
import { gatewayConfig, runtimeOptions } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, MEMORY_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

const AGENT = "audit-agent";
const logDir = mkdtempSync(join(tmpdir(), "flowgate-audit-"));
let running: Awaited<ReturnType<typeof createGateway>>;
let logger: FileLogger;
const clients: Client[] = [];

async function connect(serverId: string): Promise<Client> {
  const client = new Client({ name: "audit-test", version: "1.0.0" });
  const url = new URL(`http://127.0.0.1:${running.port}/mcp/${serverId}`);
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: AGENT } } }));
  clients.push(client);
  return client;
}

beforeAll(async () => {
  const config = gatewayConfig(
    [
      stdioServer("everything", EVERYTHING_SCRIPT, {
        env: { SITE: "docs at https://Docs.Example.ORG/guide).", DROPPED: "https://dropped.example/" },
        toolResponseFilters: { "get-env": "{site: .SITE}" },
      }),
      stdioServer("sink", MEMORY_SCRIPT, {
        env: { MEMORY_FILE_PATH: join(logDir, "memory.jsonl") },
        guardPolicies: { "write-sink": { accept: ["*"] } },
      }),
    ],
    { agentId: AGENT },
  );
  const runtime = runtimeOptions({ logDir, urlDomainAudit: true });
  logger = openFileLogger({ dir: logDir, stderr: () => undefined });
  running = await createGateway(config, runtime, { io: { out: () => undefined, err: () => undefined }, env: {}, version: "test", logger });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  await running.close(1000);
  await logger.close();
});

describe("the URL-domain audit", () => {
  it("records the domains in filtered tool results by server id and in write-sink arguments under write-sink", async () => {
    const everything = await connect("everything");
    await everything.callTool({ name: "get-env", arguments: {} });
    await everything.callTool({ name: "echo", arguments: { message: "see https://api.example.net/v1, ok" } });
    const sink = await connect("sink");
    await sink.callTool({
      name: "create_entities",
      arguments: { entities: [{ name: "page", entityType: "link", observations: ["found at https://Sink.Example/page"] }] },
    });
    await logger.flush();

    const path = join(logDir, "observed-url-domains.json");
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({
      // the filter dropped DROPPED, so its domain was never seen by the agent
      everything: ["api.example.net", "docs.example.org"],
      // server-memory answers with the entities it stored
      sink: ["sink.example"],
      "write-sink": ["sink.example"],
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
