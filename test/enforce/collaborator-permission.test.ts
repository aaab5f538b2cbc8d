// A guard's get_collaborator_permission is answered by the host from the GitHub REST API
// (guard-abi.md §4.1), here a fake API on 127.0.0.1, never forwarded to the MCP backend. The
// collaborator guard trusts what a user who may push wrote, so the answer decides the call.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collaboratorPermissionLookup } from "../../src/enforce/collaborator-permission.ts";
import { POLICY_DENIED } from "../../src/enforce/index.ts";
import { createGateway } from "../../src/gateway/index.ts";
import { gatewayConfig, runtimeOptions } from "../support/gateway.ts";
import { builtGuardPath } from "../support/guards.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

const AGENT = "collaborator-test-agent";
const TOKEN = "test-token-not-secret";
const PERMISSIONS: Record<string, string> = { alice: "write", bob: "read", dana: "admin" };

interface ApiRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

const apiRequests: ApiRequest[] = [];
let api: Server;
let apiUrl = "";
const gateways: Awaited<ReturnType<typeof createGateway>>[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  api = createServer((request, response) => {
    apiRequests.push({ url: request.url ?? "", headers: request.headers });
    const user = /^\/repos\/acme\/web\/collaborators\/([^/]+)\/permission$/.exec(request.url ?? "")?.[1] ?? "";
    if (user === "huge") {
      response.writeHead(200, { "Content-Type": "application/json" }).end(`{"permission":"write","padding":"${"x".repeat(2 * 1024 * 1024)}"}`);
      return;
    }
    const permission = PERMISSIONS[user];
    if (permission === undefined) {
      response.writeHead(404, { "Content-Type": "application/json" }).end('{"message":"Not Found"}');
      return;
    }
    response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ permission, user: { login: user } }));
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(gateways.map((gateway) => gateway.close(1000)));
  await new Promise((resolve) => api.close(resolve));
});

/** A gateway with server-everything behind the collaborator guard, started with `env`; returns a listed client. */
async function connect(env: Record<string, string>): Promise<Client> {
  const config = gatewayConfig([stdioServer("repo", EVERYTHING_SCRIPT, { guard: "collaborator" })], { agentId: AGENT });
  config.guards = {
    collaborator: { type: "wasm", path: builtGuardPath("collaborator"), policy: { "allow-only": { repos: "all", "min-integrity": "approved" } } },
  };
  const running = await createGateway(config, runtimeOptions({ guardsMode: "filter" }), {
    io: { out: () => undefined, err: () => undefined },
    env,
    version: "test",
    logger: new RecordingLogger(),
  });
  gateways.push(running);
  const client = new Client({ name: "collaborator-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${running.port}/mcp/repo`), { requestInit: { headers: { Authorization: AGENT } } }),
  );
  clients.push(client);
  await client.listTools();
  return client;
}

async function outcome(client: Client, username: string): Promise<string> {
  try {
    const result = await client.callTool({ name: "echo", arguments: { message: `from ${username}`, owner: "acme", repo: "web", username } });
    return (result.content as { text: string }[])[0]!.text;
  } catch (error) {
    if (error instanceof McpError && error.code === POLICY_DENIED) return `denied: ${error.message}`;
    throw error;
  }
}

describe("get_collaborator_permission served by the host", () => {
  it.each([
    ["alice", "write", "Echo: from alice"],
    ["dana", "admin", "Echo: from dana"],
    ["bob", "read", "denied"],
    ["erin", "not a collaborator (404)", "denied"],
  ])("answers the guard from the GitHub API: %s (%s)", async (username, _permission, expected) => {
    const client = await connect({ GITHUB_TOKEN: ` ${TOKEN} `, GITHUB_API_URL: `${apiUrl}/` });
    const before = apiRequests.length;
    expect(await outcome(client, username)).toContain(expected);
    const asked = apiRequests.slice(before);
    expect(asked.map((request) => request.url)).toEqual([`/repos/acme/web/collaborators/${username}/permission`]);
    expect(asked[0]!.headers.authorization).toBe(`token ${TOKEN}`);
  });

  it("fails the lookup without a token, so the user is not trusted and the API is never asked", async () => {
    const client = await connect({ GITHUB_API_URL: apiUrl });
    const before = apiRequests.length;
    expect(await outcome(client, "alice")).toContain("denied: ");
    expect(apiRequests.length).toBe(before);
  });

  it.each([
    ["arguments without a username", { owner: "acme", repo: "web" }, /arguments must be \{"owner", "repo", "username"\}/],
    ["arguments that are not an object", "acme/web", /arguments must be/],
    ["a username that tries to leave its path segment", { owner: "acme", repo: "web", username: "../../../user" }, /returned status 404/],
    ["an answer larger than a permission can be", { owner: "acme", repo: "web", username: "huge" }, /answered more than 1048576 bytes/],
  ])("refuses, naming the problem: %s", async (_case, args, message) => {
    const lookup = collaboratorPermissionLookup({ env: { GH_TOKEN: TOKEN, GITHUB_API_URL: apiUrl } });
    await expect(lookup(args, AbortSignal.timeout(5000))).rejects.toThrow(message);
  });
});
