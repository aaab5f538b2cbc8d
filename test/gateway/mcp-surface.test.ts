import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  type LoggingMessageNotification,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

// The whole MCP surface through both modes, against server-everything over stdio (next to a
// server that cannot start). Each mode gets one agent that declares sampling, elicitation and
// roots, and answers them as a client would.
type Mode = "routed" | "unified";
const gateways = new Map<Mode, RunningGateway>();
const agents = new Map<Mode, Client>();
const logMessages = new Map<Mode, LoggingMessageNotification["params"][]>();

beforeAll(async () => {
  for (const mode of ["routed", "unified"] as const) {
    const gateway = await runGateway(
      gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT), stdioServer("broken", "/nonexistent/flowgate-test-server")], { agentId: "surface-agent" }),
      runtimeOptions({ mode }),
    );
    gateways.set(mode, gateway);
    const client = await connectAgent(gateway.entry("everything"), { sampling: {}, elicitation: {}, roots: { listChanged: true } });
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
      model: "test-model",
      role: "assistant",
      content: { type: "text", text: `sampled for ${mode}: ${JSON.stringify(request.params.messages[0]?.content)}` },
    }));
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: "accept", content: { name: `elicited-${mode}` } }));
    client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: `file:///roots/${mode}`, name: "root" }] }));
    const messages: LoggingMessageNotification["params"][] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void messages.push(notification.params));
    logMessages.set(mode, messages);
    agents.set(mode, client);
  }
});

afterAll(async () => {
  for (const client of agents.values()) await client.close();
  for (const gateway of gateways.values()) expect(await gateway.stop()).toBe(0);
});

const agent = (mode: Mode) => agents.get(mode)!;
const qualified = (mode: Mode, name: string) => (mode === "unified" ? `everything___${name}` : name);
const modes = ["routed", "unified"] as const;

function text(result: unknown): string {
  return JSON.stringify((result as { content?: unknown }).content);
}

describe("server-to-client requests reach the agent that made the call", () => {
  it.each(modes)("%s: sampling round trip", async (mode) => {
    const result = await agent(mode).callTool({ name: qualified(mode, "trigger-sampling-request"), arguments: { prompt: "hello", maxTokens: 5 } });
    expect(text(result)).toContain(`sampled for ${mode}`);
    expect(text(result)).toContain("test-model");
  });

  it.each(modes)("%s: elicitation round trip", async (mode) => {
    const result = await agent(mode).callTool({ name: qualified(mode, "trigger-elicitation-request"), arguments: {} });
    expect(text(result)).toContain(`elicited-${mode}`);
  });

  it.each(modes)("%s: roots round trip", async (mode) => {
    const result = await agent(mode).callTool({ name: qualified(mode, "get-roots-list"), arguments: {} });
    expect(text(result)).toContain(`file:///roots/${mode}`);
  });
});

describe("notifications and flow control", () => {
  it.each(modes)("%s: progress notifications arrive under the agent's own token", async (mode) => {
    const progress: Array<{ progress: number; total?: number }> = [];
    await agent(mode).callTool({ name: qualified(mode, "trigger-long-running-operation"), arguments: { duration: 0.3, steps: 3 } }, undefined, {
      onprogress: (p) => void progress.push(p),
    });
    expect(progress.map((p) => [p.progress, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it.each(modes)("%s: a cancelled call ends at once and the session keeps working", async (mode) => {
    const controller = new AbortController();
    let started: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const call = agent(mode).callTool({ name: qualified(mode, "trigger-long-running-operation"), arguments: { duration: 60, steps: 60 } }, undefined, {
      signal: controller.signal,
      onprogress: () => started(),
    });
    await inFlight;
    controller.abort("agent gave up");
    await expect(call).rejects.toThrow();
    const after = await agent(mode).callTool({ name: qualified(mode, "echo"), arguments: { message: "next" } });
    expect(text(after)).toContain("Echo: next");
  });

  it.each(modes)("%s: logging/setLevel is accepted and backend log messages reach the agent", async (mode) => {
    await agent(mode).setLoggingLevel("debug");
    const { resources } = await agent(mode).listResources();
    const uri = resources[0]!.uri;
    await agent(mode).subscribeResource({ uri });
    await vi.waitFor(() => expect(logMessages.get(mode)!.some((m) => String(m.data).includes("Received Subscribe Resource request"))).toBe(true));
    await agent(mode).unsubscribeResource({ uri });
  });
});

describe("resources, prompts and completion", () => {
  it.each(modes)("%s: lists and reads resources", async (mode) => {
    const { resources } = await agent(mode).listResources();
    expect(resources.length).toBeGreaterThan(0);
    const first = resources[0]!;
    if (mode === "unified") expect(first.uri).toMatch(/^everything___demo:\/\//);
    else expect(first.uri).toMatch(/^demo:\/\//);
    const read = await agent(mode).readResource({ uri: first.uri });
    expect(read.contents[0]?.uri).toBe(first.uri);
  });

  it.each(modes)("%s: lists resource templates and reads through one", async (mode) => {
    const { resourceTemplates } = await agent(mode).listResourceTemplates();
    const template = resourceTemplates.find((t) => t.uriTemplate.includes("/dynamic/text/"));
    expect(template?.uriTemplate).toBe(qualified(mode, "demo://resource/dynamic/text/{resourceId}"));
    const read = await agent(mode).readResource({ uri: qualified(mode, "demo://resource/dynamic/text/1") });
    expect(read.contents[0]?.uri).toBe(qualified(mode, "demo://resource/dynamic/text/1"));
  });

  it.each(modes)("%s: lists and gets prompts", async (mode) => {
    const { prompts } = await agent(mode).listPrompts();
    expect(prompts.map((p) => p.name)).toContain(qualified(mode, "simple-prompt"));
    const prompt = await agent(mode).getPrompt({ name: qualified(mode, "args-prompt"), arguments: { city: "Oslo" } });
    expect(JSON.stringify(prompt.messages)).toContain("Oslo");
  });

  it.each(modes)("%s: completes a prompt argument", async (mode) => {
    const result = await agent(mode).complete({
      ref: { type: "ref/prompt", name: qualified(mode, "completable-prompt") },
      argument: { name: "department", value: "S" },
    });
    expect(result.completion.values.sort()).toEqual(["Sales", "Support"]);
  });

  it.each(modes)("%s: resource links in tool results name URIs the agent can read through the gateway", async (mode) => {
    const result = await agent(mode).callTool({ name: qualified(mode, "get-resource-links"), arguments: { count: 1 } });
    const link = (result.content as Array<{ type: string; uri?: string }>).find((item) => item.type === "resource_link");
    expect(link?.uri).toMatch(mode === "unified" ? /^everything___demo:\/\// : /^demo:\/\//);
    const read = await agent(mode).readResource({ uri: link!.uri! });
    expect(read.contents[0]?.uri).toBe(link!.uri);
  });

  it("unified: a backend that cannot start leaves the other backends' tools listed", async () => {
    const { tools } = await agent("unified").listTools();
    expect(tools.map((tool) => tool.name)).toContain("everything___echo");
    expect(tools.some((tool) => tool.name.startsWith("broken___"))).toBe(false);
    expect(gateways.get("unified")!.logger.matching("tools/list from broken failed, listing the others").length).toBeGreaterThan(0);
  });

  it("unified: a resource URI without a configured server prefix is refused with a message naming the expected form", async () => {
    await expect(agent("unified").readResource({ uri: "demo://resource/dynamic/text/1" })).rejects.toThrow(/expected "<serverID>___<name>"/);
  });
});
