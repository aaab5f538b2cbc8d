// The covert channels around the tools/call check: every other method that carries the agent's
// data to a backend (subscriptions, completion, log level, prompt arguments, list cursors, a
// method the gateway does not know) and the agent's replies to a backend's requests (sampling,
// elicitation, roots). An agent reads private/api-keys.txt through server-filesystem behind the
// filesystem guard (propagate mode: the read taints it), then tries each channel to a public
// write sink: server-everything over HTTP behind a proxy that records every body it receives.
// Also: the reason of a cancelled call, the agent's declared capabilities, and a guard that calls
// these methods reads. Each case runs on its own gateway, so the agent starts clean whatever keys
// the agent's labels.
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  McpError,
  ResultSchema,
  type ClientCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayConfig, RuntimeOptions, ServerConfig } from "../../src/config/types.ts";
import { POLICY_DENIED } from "../../src/enforce/index.ts";
import { createGateway } from "../../src/gateway/index.ts";
import { secrecyMarker } from "../../src/log/redaction.ts";
import { connectAgent, gatewayConfig, runtimeOptions } from "../support/gateway.ts";
import { builtGuardPath } from "../support/guards.ts";
import { EVERYTHING_SCRIPT, httpServer, startEverythingHttp, stdioServer } from "../support/mcp-servers.ts";
import { startRecordingProxy, type RecordingProxy } from "../support/recording-proxy.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

const AGENT = "covert-channel-agent";
/** A credential in demo/workspace/private/api-keys.txt. */
const SECRET = "demo-sk-4f8a1c2e9b7d";
const FILESYSTEM_SCRIPT = fileURLToPath(new URL("../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js", import.meta.url));
const PAGED_SCRIPT = fileURLToPath(new URL("../support/paged-server.ts", import.meta.url));
const PUBLIC_SINK = { "write-sink": { accept: ["demo"], "sink-visibility": "public" } };
const workspace = mkdtempSync(join(tmpdir(), "flowgate-covert-"));
cpSync(fileURLToPath(new URL("../../demo/workspace", import.meta.url)), workspace, { recursive: true });

let everything: Awaited<ReturnType<typeof startEverythingHttp>>;
let proxy: RecordingProxy;

beforeAll(async () => {
  everything = await startEverythingHttp();
  proxy = await startRecordingProxy(everything.url);
});

afterAll(async () => {
  await proxy.stop();
  await everything.stop();
});

/** Servers (and their guards) a case adds to the filesystem server and the sink. */
interface MoreServers {
  servers: ServerConfig[];
  guards?: GatewayConfig["guards"];
}

function config(more: MoreServers = { servers: [] }): GatewayConfig {
  const base = gatewayConfig(
    [
      stdioServer("files", FILESYSTEM_SCRIPT, { guard: "files", args: [FILESYSTEM_SCRIPT, workspace] }),
      httpServer("sink", proxy.url, { guardPolicies: PUBLIC_SINK }),
      ...more.servers,
    ],
    { agentId: AGENT },
  );
  base.guards = {
    ...more.guards,
    files: {
      type: "wasm",
      path: builtGuardPath("filesystem"),
      config: { "fs-scope": "demo", "fs-private": ["private"], "fs-mode": "propagate" },
      policy: { "allow-only": { repos: "all", "min-integrity": "none" } },
    },
  };
  return base;
}

interface Agent {
  /** The agent's session with the sink, declaring `capabilities`. */
  sink: Client;
  /** Connects the agent to another server (routed mode). */
  connect(serverId: string): Promise<Client>;
  /** Reads private/api-keys.txt through the guarded filesystem server: from now on the agent holds the secret. */
  taint(): Promise<void>;
  logger: RecordingLogger;
}

/** A fresh enforced gateway and its one agent; closed after `body`. */
async function withAgent(
  mode: RuntimeOptions["mode"],
  capabilities: ClientCapabilities,
  body: (agent: Agent) => Promise<void>,
  more?: MoreServers,
): Promise<void> {
  const logger = new RecordingLogger();
  const running = await createGateway(config(more), runtimeOptions({ mode, guardsMode: "strict" }), {
    io: { out: () => undefined, err: () => undefined },
    env: {},
    version: "test",
    logger,
  });
  const base = `http://127.0.0.1:${running.port}/mcp`;
  const entry = (path: string) => ({ type: "http", url: `${base}${path}`, headers: { Authorization: AGENT } });
  const clients: Client[] = [];
  const connect = async (path: string, declared: ClientCapabilities = {}) => {
    const client = await connectAgent(entry(path), declared);
    clients.push(client);
    return client;
  };
  const files = await connect(mode === "routed" ? "/files" : "");
  const sink = await connect(mode === "routed" ? "/sink" : "", capabilities);
  const readTool = mode === "routed" ? "read_text_file" : "files___read_text_file";
  try {
    await body({
      sink,
      connect: (serverId) => connect(`/${serverId}`),
      logger,
      taint: async () => {
        const read = await files.callTool({ name: readTool, arguments: { path: join(workspace, "private/api-keys.txt") } });
        expect(JSON.stringify(read.content)).toContain(SECRET);
      },
    });
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await running.close(1000);
  }
}

async function outcome(call: Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; error: McpError }> {
  try {
    return { ok: true, value: await call };
  } catch (error) {
    expect(error).toBeInstanceOf(McpError);
    return { ok: false, error: error as McpError };
  }
}

const sinkName = (mode: RuntimeOptions["mode"], name: string) => (mode === "unified" ? `sink___${name}` : name);
const everythingUri = (mode: RuntimeOptions["mode"], id: string) => sinkName(mode, `demo://resource/dynamic/text/${id}`);

interface RequestCase {
  method: string;
  mode: RuntimeOptions["mode"];
  /** Sends the method with `data` wherever the agent can choose what the backend gets. */
  send(sink: Client, data: string): Promise<unknown>;
  /** The backend's answer when the gateway forwards the request: a result, or its own JSON-RPC error code. */
  backendAnswers?: number;
}

const requestCases: RequestCase[] = [
  { method: "resources/subscribe", mode: "routed", send: (sink, data) => sink.subscribeResource({ uri: everythingUri("routed", data) }) },
  { method: "resources/subscribe", mode: "unified", send: (sink, data) => sink.subscribeResource({ uri: everythingUri("unified", data) }) },
  { method: "resources/unsubscribe", mode: "routed", send: (sink, data) => sink.unsubscribeResource({ uri: everythingUri("routed", data) }) },
  {
    method: "completion/complete",
    mode: "routed",
    send: (sink, data) => sink.complete({ ref: { type: "ref/prompt", name: "completable-prompt" }, argument: { name: "department", value: data } }),
  },
  // eight levels are three bits a call: a channel as well, though it cannot carry the secret's text in one go
  { method: "logging/setLevel", mode: "routed", send: (sink) => sink.setLoggingLevel("debug") },
  { method: "logging/setLevel", mode: "unified", send: (sink) => sink.setLoggingLevel("debug") },
  { method: "prompts/get", mode: "routed", send: (sink, data) => sink.getPrompt({ name: "args-prompt", arguments: { city: data } }) },
  { method: "prompts/list", mode: "routed", send: (sink, data) => sink.listPrompts({ cursor: data }) },
  { method: "resources/templates/list", mode: "routed", send: (sink, data) => sink.listResourceTemplates({ cursor: data }) },
  { method: "tools/list", mode: "routed", send: (sink, data) => sink.listTools({ cursor: data }) },
  {
    method: "flowgate-test/unknown-method",
    mode: "routed",
    send: (sink, data) => sink.request({ method: "flowgate-test/unknown-method", params: { note: data } }, ResultSchema),
    backendAnswers: -32601,
  },
];

describe("covert channels to a write sink", () => {
  it.each(requestCases)(
    "$method ($mode) reaches the sink from a clean agent, and is refused once the agent holds a secret",
    async ({ method, mode, send, backendAnswers }) => {
      await withAgent(mode, {}, async ({ sink, taint, logger }) => {
        const harmless = `harmless-${Math.random().toString(36).slice(2)}`;
        const sentClean = proxy.bodies.length;
        const clean = await outcome(send(sink, harmless));
        if (backendAnswers === undefined) expect(clean.ok).toBe(true);
        else expect(!clean.ok && clean.error.code).toBe(backendAnswers);
        await proxy.bodyMatching((body) => body.includes(`"method":"${method}"`), sentClean);

        await taint();
        const sentTainted = proxy.bodies.length;
        const refused = await outcome(send(sink, SECRET));
        expect(refused.ok).toBe(false);
        const { error } = refused as { error: McpError };
        expect(error.code).toBe(POLICY_DENIED);
        expect(error.message).toContain("DIFC Violation: Agent carries");
        expect(error.message).toContain(`write-sink:public (${method})`);
        expect(proxy.bodies.slice(sentClean).some((body) => body.includes(SECRET))).toBe(false);
        expect(proxy.bodies.slice(sentTainted).filter((body) => body.includes(`"method":"${method}"`))).toEqual([]);
        expect(
          logger.matching(`to ${secrecyMarker(`write-sink:public (${method})`)}`, "sink").filter((line) => line.startsWith("Access DENIED for agent ")),
        ).toHaveLength(1);
      });
    },
  );

  it("lets an agent holding a secret still list a sink's tools, prompts and templates, paging with the cursors the sink handed out", async () => {
    await withAgent(
      "routed",
      {},
      async ({ sink, connect, taint }) => {
        await taint();
        expect((await sink.listTools()).tools.length).toBeGreaterThan(0);
        expect((await sink.listPrompts()).prompts.length).toBeGreaterThan(0);
        expect((await sink.listResourceTemplates()).resourceTemplates.length).toBeGreaterThan(0);
        const paged = await connect("paged");
        const names: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await paged.listPrompts(cursor === undefined ? {} : { cursor });
          names.push(...page.prompts.map((prompt) => prompt.name));
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        expect(names).toEqual(["first", "second", "third"]);
        const forged = await outcome(paged.listPrompts({ cursor: SECRET }));
        expect(!forged.ok && forged.error.code).toBe(POLICY_DENIED);
      },
      { servers: [stdioServer("paged", PAGED_SCRIPT, { guardPolicies: PUBLIC_SINK })] },
    );
  });
});

describe("covert channels in cancellations", () => {
  it("tells the sink of a cancelled call in the gateway's words, never with the reason the agent gave", async () => {
    await withAgent("routed", {}, async ({ sink, taint }) => {
      const sent = proxy.bodies.length;
      const cancelled = new AbortController();
      const call = outcome(
        sink.callTool({ name: "trigger-long-running-operation", arguments: { duration: 30, steps: 30 } }, undefined, { signal: cancelled.signal }),
      );
      await proxy.bodyMatching((body) => body.includes("trigger-long-running-operation"), sent);
      await taint();
      cancelled.abort(SECRET);
      expect((await call).ok).toBe(false);
      const notice = await proxy.bodyMatching((body) => body.includes('"method":"notifications/cancelled"'), sent);
      expect(notice).toContain("the agent cancelled the request");
      expect(proxy.bodies.slice(sent).some((body) => body.includes(SECRET))).toBe(false);
    });
  });
});

describe("covert channels in the agent's declared capabilities", () => {
  it("declares the agent's capabilities to the sink as flags only, never with the text inside them", async () => {
    const declared = {
      experimental: { leak: { data: SECRET } },
      extensions: { "leak/x": { data: SECRET } },
      sampling: { context: { data: SECRET } },
      elicitation: { form: { applyDefaults: true, data: SECRET }, url: { data: SECRET } },
      roots: { listChanged: true },
    } as ClientCapabilities;
    await withAgent("routed", declared, async ({ sink, taint }) => {
      await taint();
      const sent = proxy.bodies.length;
      // the agent's first call opens its connection to the sink, whose handshake carries the capabilities
      await sink.listTools();
      const initialize = JSON.parse(await proxy.bodyMatching((body) => body.includes('"method":"initialize"'), sent)) as { params: { capabilities: unknown } };
      expect(initialize.params.capabilities).toEqual({
        sampling: { context: {} },
        elicitation: { form: { applyDefaults: true }, url: {} },
        roots: { listChanged: true },
      });
      expect(proxy.bodies.slice(sent).some((body) => body.includes(SECRET))).toBe(false);
    });
  });
});

describe("covert channels past a guard that calls the method a read", () => {
  // The example guard (guards/echo-labels) calls every name not starting with write_ a read of a
  // public resource. It labels a call by sending the arguments to the server's echo tool itself,
  // so what is checked here is whether the gateway still sends the method on.
  const echoed: MoreServers = {
    servers: [stdioServer("echoed", EVERYTHING_SCRIPT, { guard: "echo" })],
    guards: { echo: { type: "wasm", path: builtGuardPath("echo-labels"), policy: { "allow-only": { repos: "all", "min-integrity": "none" } } } },
  };
  it.each([
    { method: "prompts/get", send: (client: Client, data: string) => client.getPrompt({ name: "args-prompt", arguments: { city: data } }) },
    { method: "resources/list", send: (client: Client, data: string) => client.listResources(data === "" ? {} : { cursor: data }) },
    { method: "resources/subscribe", send: (client: Client, data: string) => client.subscribeResource({ uri: `demo://resource/dynamic/text/${data}` }) },
  ])("$method is still checked as a write, and refused once the agent holds a secret", async ({ method, send }) => {
    await withAgent(
      "routed",
      {},
      async ({ connect, taint, logger }) => {
        const client = await connect("echoed");
        const forwarded = () =>
          logger.rpcRecords.filter((record) => record.event === "rpc_request" && record.serverId === "echoed" && record.method === method).length;
        await send(client, method === "resources/list" ? "" : "1");
        expect(forwarded()).toBe(1);
        await taint();
        const refused = await outcome(send(client, SECRET));
        expect(!refused.ok && refused.error.code).toBe(POLICY_DENIED);
        expect(forwarded()).toBe(1);
      },
      echoed,
    );
  });
});

interface ReplyCase {
  method: string;
  capabilities: ClientCapabilities;
  /** Installs the agent's handler; `answer` is what it puts in its reply. */
  answer(sink: Client, answer: () => Promise<string>): void;
  /** Makes the sink send its request, and returns what the agent then sees (text of a result or error). */
  trigger(sink: Client): Promise<string>;
}

const replyCases: ReplyCase[] = [
  {
    method: "sampling/createMessage",
    capabilities: { sampling: {} },
    answer: (sink, answer) =>
      sink.setRequestHandler(CreateMessageRequestSchema, async () => ({ model: "test", role: "assistant", content: { type: "text", text: await answer() } })),
    trigger: async (sink) => JSON.stringify(await sink.callTool({ name: "trigger-sampling-request", arguments: { prompt: "hi", maxTokens: 5 } })),
  },
  {
    method: "elicitation/create",
    capabilities: { elicitation: {} },
    answer: (sink, answer) => sink.setRequestHandler(ElicitRequestSchema, async () => ({ action: "accept", content: { name: await answer() } })),
    trigger: async (sink) => JSON.stringify(await sink.callTool({ name: "trigger-elicitation-request", arguments: {} })),
  },
  {
    method: "roots/list",
    capabilities: { roots: { listChanged: true } },
    answer: (sink, answer) => sink.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: `file:///${await answer()}`, name: "root" }] })),
    trigger: async (sink) => {
      // the sink already holds the clean roots; a change notice makes it ask again
      const sent = proxy.bodies.length;
      await sink.sendRootsListChanged();
      return proxy.bodyMatching((body) => body.includes('"error"') && body.includes(String(POLICY_DENIED)), sent);
    },
  },
];

describe("covert channels in replies to a write sink's requests", () => {
  it.each(replyCases)(
    "the agent's $method reply reaches the sink from a clean agent, and is refused once the agent holds a secret",
    async ({ method, capabilities, answer, trigger }) => {
      await withAgent("routed", capabilities, async ({ sink, taint, logger }) => {
        const sentClean = proxy.bodies.length;
        let leak = false;
        answer(sink, async () => {
          if (!leak) return "harmless-reply";
          // the agent reads the secret while the sink waits for its answer, then answers with it
          await taint();
          return SECRET;
        });
        if (method === "roots/list") {
          expect(JSON.stringify(await sink.callTool({ name: "get-roots-list", arguments: {} }))).toContain("file:///harmless-reply");
        } else {
          expect(await trigger(sink)).toContain("harmless-reply");
        }

        leak = true;
        const seen = await trigger(sink);
        expect(seen).toContain("DIFC Violation: Agent carries");
        expect(proxy.bodies.slice(sentClean).some((body) => body.includes(SECRET))).toBe(false);
        expect(
          logger.matching(`to ${secrecyMarker(`write-sink:public (${method})`)}`, "sink").filter((line) => line.startsWith("Access DENIED for agent ")).length,
        ).toBeGreaterThan(0);
      });
    },
  );
});
