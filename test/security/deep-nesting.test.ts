// Attack: a tools/call (or a GraphQL read through the proxy) whose arguments nest arrays
// thousands of levels deep. The guard's JSON encoding, the log formatters and the audits walk
// arguments recursively, so the call failed with "Maximum call stack size exceeded" (a guard
// failure at the gateway, a 500 at the proxy). It must be refused up front with an error that
// says what is wrong, and the session must go on serving calls.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoConfig } from "../../demo/attack.ts";
import { connectAgent, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { startGithubProxy, type GithubProxy } from "../support/github-proxy.ts";

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

const CASES = [
  { depth: 5_000, outcome: "refused up front", refused: true },
  { depth: 100_000, outcome: "refused up front", refused: true },
  { depth: 100, outcome: "served", refused: false },
];

let gateway: RunningGateway;
let agent: Client;
let proxy: GithubProxy;

beforeAll(async () => {
  const demo = await demoConfig("filter", await mkdtemp(join(tmpdir(), "flowgate-deep-nesting-")));
  gateway = await runGateway(demo.config, runtimeOptions({ guardsMode: "filter" }), { enforcement: undefined });
  agent = await connectAgent(gateway.entry("files"));
  await agent.listTools();
  proxy = await startGithubProxy({ "allow-only": { repos: "public", "min-integrity": "none" } });
});

afterAll(async () => {
  await agent?.close();
  expect(await gateway?.stop()).toBe(0);
  await proxy?.close();
});

/** A tools/call in the agent's session, written by hand: the SDK client cannot encode arguments this deep. */
async function deepToolCall(depth: number): Promise<{ status: number; text: string }> {
  const entry = gateway.entry("files");
  const body = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"read_text_file","arguments":{"path":"README.md","extra":${nested(depth)}}}}`;
  const answer = await fetch(entry.url, {
    method: "POST",
    headers: {
      ...entry.headers,
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "Mcp-Session-Id": (agent.transport as StreamableHTTPClientTransport).sessionId!,
      "Mcp-Protocol-Version": LATEST_PROTOCOL_VERSION,
    },
    body,
  });
  return { status: answer.status, text: await answer.text() };
}

describe("arguments nested thousands of levels deep", () => {
  it.each(CASES)("a tools/call through the filesystem guard nested $depth levels deep is $outcome", async ({ depth, refused }) => {
    const answer = await deepToolCall(depth);
    if (refused) {
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toEqual({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32602, message: "Invalid params: the message nests arrays and objects more than 1000 levels deep; send flatter arguments" },
      });
    } else {
      expect(answer.status).toBe(200);
      expect(answer.text).toContain('"result":{"content":[{"type":"text"');
    }
    // The session goes on serving the agent.
    const result = await agent.callTool({ name: "read_text_file", arguments: { path: "README.md" } });
    expect(result.isError).toBeFalsy();
  });

  it.each(CASES)("a GraphQL read through the proxy with variables nested $depth levels deep is $outcome", async ({ depth, refused }) => {
    const query = "query($owner:String!,$name:String!){repository(owner:$owner,name:$name){issues(first:10){nodes{title}}}}";
    const answer = await fetch(`${proxy.proxy.url}/graphql`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: `{"query":${JSON.stringify(query)},"variables":{"owner":"octo","name":"pub","extra":${nested(depth)}}}`,
    });
    const body = (await answer.json()) as unknown;
    if (refused) {
      expect([answer.status, body]).toEqual([
        400,
        { data: null, errors: [{ message: "request body nests arrays and objects more than 1000 levels deep: send flatter variables" }] },
      ]);
    } else {
      expect(answer.status).toBe(200);
      expect(JSON.stringify(body)).toContain("Owner issue in public repo");
    }
  });
});
