import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, CreateMessageRequestSchema, ProgressNotificationSchema, type ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectAgent, gatewayConfig, runGateway, type ClientEntry, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";
import { childPids } from "../support/processes.ts";

// The reference pools stdio backends by gateway session id (the agent): every MCP session an
// agent opens talks to the same backend process, and another agent gets a process of its own.
const marker = "shared-backends-test";
const pids = () => childPids(EVERYTHING_SCRIPT, marker);
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await runGateway(
    gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT, { args: [EVERYTHING_SCRIPT, "stdio", marker] })], { agentId: "shared-agent" }),
  );
  // Startup discovery's own process is closed before the gateway serves.
  await vi.waitFor(() => expect(pids()).toEqual([]), { timeout: 10_000, interval: 50 });
});

afterAll(async () => {
  expect(await gateway.stop()).toBe(0);
});

/** A session whose client answers sampling requests with its own name (unless it declares no sampling). */
async function session(name: string, headers: Record<string, string> = {}, capabilities: ClientCapabilities = { sampling: {} }): Promise<Client> {
  const entry = gateway.entry("everything");
  const client = await connectAgent({ ...entry, headers: { ...entry.headers, ...headers } as ClientEntry["headers"] }, capabilities);
  if (capabilities.sampling) {
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      model: name,
      role: "assistant",
      content: { type: "text", text: `answered by ${name}` },
    }));
  }
  return client;
}

/** Ends the MCP session (DELETE), as closing the SDK client alone leaves it open until it idles out. */
async function end(client: Client): Promise<void> {
  await (client.transport as StreamableHTTPClientTransport | undefined)?.terminateSession();
  await client.close();
}

const echo = async (client: Client, message: string) => (await client.callTool({ name: "echo", arguments: { message } })).content;
const sampledBy = async (client: Client) =>
  JSON.stringify((await client.callTool({ name: "trigger-sampling-request", arguments: { prompt: "who?", maxTokens: 5 } })).content);

describe("backend connections shared by an agent's sessions", () => {
  it("gives every session of one agent the same backend process, stopped when the last session closes", async () => {
    const first = await session("first");
    const second = await session("second");
    try {
      expect(await echo(first, "one")).toEqual([{ type: "text", text: "Echo: one" }]);
      const [shared] = pids();
      expect(pids()).toEqual([shared]);
      expect(await echo(second, "two")).toEqual([{ type: "text", text: "Echo: two" }]);
      expect(pids()).toEqual([shared]);

      await end(first);
      expect(await echo(second, "still there")).toEqual([{ type: "text", text: "Echo: still there" }]);
      expect(pids()).toEqual([shared]);
    } finally {
      await end(first);
      await end(second);
    }
    await vi.waitFor(() => expect(pids()).toEqual([]), { timeout: 10_000, interval: 50 });
  });

  it("sends a backend's request to the session whose call is in flight", async () => {
    const first = await session("first");
    const second = await session("second");
    try {
      expect(await sampledBy(second)).toContain("answered by second");
      expect(await sampledBy(first)).toContain("answered by first");
    } finally {
      await end(first);
      await end(second);
    }
  });

  it("keeps each session's progress apart when two sessions in flight use the same progress token", async () => {
    const sessions = [await session("first"), await session("second")];
    const received = sessions.map(() => [] as unknown[]);
    sessions.forEach((client, i) => client.setNotificationHandler(ProgressNotificationSchema, (n) => void received[i]!.push(n.params.progressToken)));
    try {
      await Promise.all(
        sessions.map((client) =>
          client.request(
            { method: "tools/call", params: { name: "trigger-long-running-operation", arguments: { duration: 0.4, steps: 4 }, _meta: { progressToken: 7 } } },
            CallToolResultSchema,
          ),
        ),
      );
      expect(received).toEqual([
        [7, 7, 7, 7],
        [7, 7, 7, 7],
      ]);
    } finally {
      await Promise.all(sessions.map(end));
    }
  });

  it.each([
    ["another agent (X-Agent-ID)", { "X-Agent-ID": "another-agent" }, { sampling: {} }],
    ["a session of the same agent with other client capabilities", {}, {}],
  ])("gives %s a backend process of its own", async (_case, headers: Record<string, string>, capabilities: ClientCapabilities) => {
    const mine = await session("mine");
    const other = await session("other", headers, capabilities);
    try {
      await echo(mine, "mine");
      const [own] = pids();
      await echo(other, "other");
      expect(pids()).toContain(own);
      expect(pids().filter((pid) => pid !== own).length).toBeGreaterThanOrEqual(1);
      await end(mine);
      // The other process outlives the first session.
      await vi.waitFor(() => expect(pids()).not.toContain(own), { timeout: 10_000, interval: 50 });
      expect(await echo(other, "alone")).toEqual([{ type: "text", text: "Echo: alone" }]);
    } finally {
      await end(mine);
      await end(other);
    }
  });
});
