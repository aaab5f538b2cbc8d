// The live view at /ui, over HTTP as the page uses it: the page itself is static and served to
// anyone the Host and Origin checks let through, with a policy that runs only its own files; its
// data (/ui/state, /ui/events) asks for the key exactly as /mcp does, streams a snapshot then each
// decision as it is made, is capped, and ends with the gateway without holding its drain.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startDemoGateway, type DemoGateway } from "../../demo/attack.ts";
import { displayedAgentId } from "../../src/gateway/http/auth.ts";
import { MAX_LIVE_VIEW_STREAMS } from "../../src/gateway/http/live-view.ts";
import { eventObserver, type ObservedEvent } from "../../src/shared/index.ts";
import type { LiveSnapshot } from "../../src/telemetry/live-view/index.ts";
import { connectAgent, gatewayConfig, runGateway } from "../support/gateway.ts";
import { builtGuardPath } from "../support/guards.ts";
import { EVERYTHING_SCRIPT, MEMORY_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

interface ServerSentEvent {
  event: string;
  data: unknown;
}

/** The events of an open /ui/events answer, one at a time, as the page reads them. */
function eventsOf(response: Response): { next(): Promise<ServerSentEvent | undefined>; until(event: string): Promise<ServerSentEvent> } {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const next = async (): Promise<ServerSentEvent | undefined> => {
    for (;;) {
      const end = buffered.indexOf("\n\n");
      if (end >= 0) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event !== undefined && data !== undefined) return { event, data: JSON.parse(data) };
        continue;
      }
      const { value, done } = await reader.read();
      if (done) return undefined;
      buffered += value;
    }
  };
  return {
    next,
    async until(event) {
      for (;;) {
        const got = await next();
        if (!got) throw new Error(`the stream ended before a "${event}" event`);
        if (got.event === event) return got;
      }
    },
  };
}

let scratch = "";
let demo: DemoGateway;
let files: Client;
let memory: Client;
let limited: Client;
const opened: AbortController[] = [];

function openEvents(key: string | undefined): Promise<Response> {
  const controller = new AbortController();
  opened.push(controller);
  return fetch(`${demo.base}/ui/events`, { headers: key === undefined ? {} : { Authorization: key }, signal: controller.signal });
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "flowgate-live-view-"));
  demo = await startDemoGateway("propagate", scratch, {
    // A server whose policy gives each agent two echo calls: the view shows the budget spent.
    extraServers: [
      stdioServer("limited", EVERYTHING_SCRIPT, {
        guardPolicies: { "allow-only": { repos: "all", "min-integrity": "none", "tool-call-limits": { echo: 2 } } },
      }),
    ],
  });
  [files, memory, limited] = await Promise.all([demo.connect("files"), demo.connect("memory"), demo.connect("limited")]);
});

afterAll(async () => {
  for (const controller of opened) controller.abort();
  await Promise.all([files, memory, limited].map((client) => client?.close()));
  await demo?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("the live view's data", () => {
  it.each([
    ["/ui/events", undefined, 401, { error: "unauthorized", message: "missing Authorization header" }],
    ["/ui/events", "wrong-key", 401, { error: "unauthorized", message: "invalid API key" }],
    ["/ui/state", undefined, 401, { error: "unauthorized", message: "missing Authorization header" }],
    ["/ui/state", "wrong-key", 401, { error: "unauthorized", message: "invalid API key" }],
  ])("refuses %s with Authorization %s as /mcp does: %i and why", async (path, key, status, body) => {
    const response = await fetch(`${demo.base}${path}`, { headers: key === undefined ? {} : { Authorization: key } });
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual(body);
  });

  it("shows the servers, the agent's labels and budget, and the decisions, the blocked write to the sink among them", async () => {
    for (let i = 0; i < 3; i++) await limited.callTool({ name: "echo", arguments: { message: `call ${i}` } }).catch(() => undefined);
    await files.callTool({ name: "read_text_file", arguments: { path: join(demo.workspace, "private/salaries.md") } });
    await expect(
      memory.callTool({ name: "create_entities", arguments: { entities: [{ name: "x", entityType: "note", observations: ["y"] }] } }),
    ).rejects.toThrow();

    const response = await fetch(`${demo.base}/ui/state`, { headers: { Authorization: demo.agentId } });
    expect(response.status).toBe(200);
    const state = (await response.json()) as LiveSnapshot;
    expect(state.servers).toEqual([
      { id: "files", status: "running", tools: expect.any(Number), guard: { name: expect.any(String), state: "healthy" } },
      { id: "memory", status: "running", tools: expect.any(Number), guard: { name: "write-sink", state: "healthy" } },
      { id: "limited", status: "running", tools: expect.any(Number), guard: { name: "noop", state: "healthy" } },
    ]);
    expect(state.servers.every((server) => server.tools > 0)).toBe(true);
    expect(state.agents).toEqual([
      {
        agent: displayedAgentId(demo.agentId),
        secrecy: expect.arrayContaining([expect.stringContaining("private")]),
        integrity: expect.any(Array),
        budgets: [{ server: "limited", tool: "echo", used: 2, limit: 2 }],
      },
    ]);
    expect(state.decisions.map(({ server, tool, decision, reason }) => ({ server, tool, decision, reason }))).toEqual(
      expect.arrayContaining([
        { server: "limited", tool: "echo", decision: "denied", reason: "tool-call budget" },
        { server: "files", tool: "read_text_file", decision: "allowed", reason: undefined },
        { server: "memory", tool: "create_entities", decision: "denied", reason: "secrecy" },
      ]),
    );
    expect(state.decisions.every((decision) => decision.agent === displayedAgentId(demo.agentId))).toBe(true);
    expect(JSON.stringify(state)).not.toContain(demo.agentId);
  });

  it("streams a snapshot first, then each decision as it is made, then the labels it changed", async () => {
    const response = await openEvents(demo.agentId);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const events = eventsOf(response);
    const first = await events.next();
    expect(first?.event).toBe("snapshot");
    const snapshot = first!.data as LiveSnapshot;
    expect(snapshot.decisionsKept).toBe(200);

    await files.callTool({ name: "read_text_file", arguments: { path: join(demo.workspace, "inbox/vendor-update.md") } });
    const decision = await events.until("decision");
    expect(decision.data).toMatchObject({ server: "files", tool: "read_text_file", decision: "allowed", seq: snapshot.decisions.at(-1)!.seq + 1 });
    // The read drops integrity the untrusted inbox does not carry: the next state shows the agent as /reflect does.
    const state = (await events.until("state")).data as LiveSnapshot;
    const reflect = (await (await fetch(`${demo.base}/reflect`, { headers: { Authorization: demo.agentId } })).json()) as {
      agents: Record<string, { integrity: string[] }>;
    };
    const integrity = reflect.agents[displayedAgentId(demo.agentId)]!.integrity;
    expect(integrity).not.toEqual(snapshot.agents[0]!.integrity);
    expect(state.agents[0]!.integrity).toEqual(integrity);
  });

  it(`serves at most ${MAX_LIVE_VIEW_STREAMS} streams at once, says so to one more, and takes one again once another ends`, async () => {
    const streams = await Promise.all(Array.from({ length: MAX_LIVE_VIEW_STREAMS }, () => openEvents(demo.agentId)));
    // Counted with the stream of the test before, whose page is still open.
    const accepted = streams.filter((response) => response.status === 200).length;
    expect(accepted).toBe(MAX_LIVE_VIEW_STREAMS - 1);
    const refused = streams.find((response) => response.status === 503)!;
    expect(await refused.json()).toEqual({
      error: "too_many_streams",
      message: `the live view serves at most ${MAX_LIVE_VIEW_STREAMS} streams at once: close another page showing /ui, then reload this one`,
    });
    for (const controller of opened.splice(0)) controller.abort();
    await vi.waitFor(async () => {
      const again = await openEvents(demo.agentId);
      expect(again.status).toBe(200);
    });
  });
});

describe("the live view's page", () => {
  it.each([
    ["/ui", "text/html; charset=utf-8"],
    ["/ui/", "text/html; charset=utf-8"],
    ["/ui/app.js", "text/javascript; charset=utf-8"],
    ["/ui/style.css", "text/css; charset=utf-8"],
  ])("serves %s without the key, as %s, under a policy that runs only the gateway's own files and forbids framing", async (path, type) => {
    const response = await fetch(`${demo.base}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(type);
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await response.text()).not.toContain(demo.agentId);
  });

  it("has no inline script or handler, and sets no value as HTML", async () => {
    const html = await (await fetch(`${demo.base}/ui`)).text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts).toEqual(['<script src="/ui/app.js" defer>']);
    expect(html).not.toMatch(/<script\b[^>]*>[^<\s]/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    const script = await (await fetch(`${demo.base}/ui/app.js`)).text();
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });

  it.each([
    ["/ui/nothing-here", "GET", 404],
    ["/ui", "POST", 405],
    ["/ui/events", "POST", 405],
  ])("answers %s %s with %i", async (path, method, status) => {
    const response = await fetch(`${demo.base}${path}`, { method, headers: { Authorization: demo.agentId } });
    expect(response.status).toBe(status);
  });
});

describe("a guard failure in the live view", () => {
  it("reaches an open page at once with metrics and tracing both off, while no guard call is wrapped for a view nobody watches", async () => {
    const key = "live-view-guard-key";
    const config = gatewayConfig([stdioServer("tripwire", EVERYTHING_SCRIPT, { guard: "tripwire" })], { agentId: key });
    config.guards = { tripwire: { type: "wasm", path: builtGuardPath("tripwire"), policy: { "allow-only": { repos: "all", "min-integrity": "none" } } } };
    // Another observer of events alone beside the view's: it hears of a guard failure only when the guards are wrapped.
    const guardEvents: ObservedEvent[] = [];
    const observer = eventObserver((event) => {
      if (event.kind === "guard") guardEvents.push(event);
    });
    const gateway = await runGateway(config, undefined, { enforcement: undefined, observer });
    const agent = await connectAgent(gateway.entry("tripwire"));
    const controller = new AbortController();
    // The view's every-5-s refresh never comes: a state event can only follow the guard's failure event.
    vi.useFakeTimers({ toFake: ["setInterval"] });
    try {
      await agent.listTools();
      const trip = () => expect(agent.callTool({ name: "echo", arguments: { message: "please TRIP now" } })).rejects.toThrow(/guard labeling failed/);
      await trip();
      expect(guardEvents).toEqual([]);
      // A call that succeeds makes the guard healthy again.
      await agent.callTool({ name: "echo", arguments: { message: "hello" } });

      const events = eventsOf(await fetch(`${gateway.baseUrl}/ui/events`, { headers: { Authorization: key }, signal: controller.signal }));
      const snapshot = (await events.until("snapshot")).data as LiveSnapshot;
      expect(snapshot.servers[0]?.guard).toEqual({ name: "tripwire", state: "healthy" });
      await trip();
      const state = (await events.until("state")).data as LiveSnapshot;
      expect(state.servers[0]?.guard).toEqual({ name: "tripwire", state: "recovering" });
      expect(guardEvents).toEqual([{ kind: "guard", server: "tripwire", what: "failed", function: "label_resource", reason: "trap" }]);
    } finally {
      vi.useRealTimers();
      controller.abort();
      await agent.close();
      expect(await gateway.stop()).toBe(0);
    }
  });
});

describe("the live view at shutdown", () => {
  it("ends every open stream as the gateway starts shutting down, so a page left open does not hold the drain", async () => {
    const key = "live-view-shutdown-key";
    const file = join(await mkdtemp(join(tmpdir(), "flowgate-live-view-memory-")), "memory.jsonl");
    const gateway = await runGateway(gatewayConfig([stdioServer("memory", MEMORY_SCRIPT, { env: { MEMORY_FILE_PATH: file } })], { agentId: key }));
    const response = await fetch(`${gateway.baseUrl}/ui/events`, { headers: { Authorization: key } });
    const events = eventsOf(response);
    expect((await events.next())?.event).toBe("snapshot");
    const started = performance.now();
    // runGateway's shutdown allows 5 s; a stream still open would hold the drain to it and make the exit code 1.
    expect(await gateway.stop()).toBe(0);
    expect(performance.now() - started).toBeLessThan(4000);
    expect(await events.next()).toBeUndefined();
  });
});
