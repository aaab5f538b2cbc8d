// The tools/call fast path (src/gateway/sessions/fast-tools-call.ts on the agent's side,
// src/backends/direct-requests.ts on the backends') answers exactly as the SDK path does: one
// recorded session of raw HTTP requests is replayed through a gateway with the fast path and
// through one with it switched off (FLOWGATE_TOOLS_CALL_FAST_PATH=off), and every status, answer
// header and body must match byte for byte, and so must every byte the backends receive (a stdio
// server's stdin, a streamable HTTP server's request bodies).
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { demoConfig } from "../../demo/attack.ts";
import { createGateway, TOOLS_CALL_FAST_PATH_ENV, type Gateway } from "../../src/gateway/index.ts";
import { runtimeOptions } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, httpServer, startEverythingHttp, stdioServer } from "../support/mcp-servers.ts";
import { startRecordingProxy, type RecordingProxy } from "../support/recording-proxy.ts";
import { openRawSession, rawRequest, type RawResponse } from "../support/raw-http.ts";
import type { RpcLogRecord } from "../../src/log/types.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

interface Variant {
  name: string;
  gateway: Gateway;
  logger: FailedCallsLogger;
  workspace: string;
  /** Where each process of the stdio server "everything" leaves the bytes it read, one file per process. */
  stdinDir: string;
  /** In front of the streamable HTTP server "web". */
  proxy: RecordingProxy;
}

/** Also tells when a backend call ends in an error, so a test can wait for a cancelled call's end. */
class FailedCallsLogger extends RecordingLogger {
  readonly #waiting: Array<(error: string) => void> = [];
  override rpc(record: RpcLogRecord): void {
    super.rpc(record);
    if (record.event === "rpc_response" && record.error !== undefined) for (const wake of this.#waiting.splice(0)) wake(record.error);
  }
  nextFailedCall(): Promise<string> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
}

const scratch: string[] = [];
const variants: Variant[] = [];
const stops: Array<() => Promise<void>> = [];
const RECORD_STDIN = fileURLToPath(new URL("../support/record-stdin.mjs", import.meta.url));

/**
 * The demo (a guarded filesystem, memory as a public write sink) in propagate mode, plus
 * server-everything over stdio ("everything") and over streamable HTTP ("web"), in unified mode.
 */
async function startVariant(name: string, env: Record<string, string>): Promise<Variant> {
  const dir = await mkdtemp(join(tmpdir(), "flowgate-fast-path-"));
  scratch.push(dir);
  const stdinDir = await mkdtemp(join(tmpdir(), "flowgate-fast-path-stdin-"));
  scratch.push(stdinDir);
  const web = await startEverythingHttp();
  const proxy = await startRecordingProxy(web.url);
  stops.push(
    () => proxy.stop(),
    () => web.stop(),
  );
  const demo = await demoConfig("propagate", dir);
  demo.config.servers.push(
    stdioServer("everything", EVERYTHING_SCRIPT, { args: ["--import", RECORD_STDIN, EVERYTHING_SCRIPT], env: { RECORD_STDIN_DIR: stdinDir } }),
    httpServer("web", proxy.url),
  );
  const logger = new FailedCallsLogger();
  const gateway = await createGateway(demo.config, runtimeOptions({ guardsMode: "propagate", mode: "unified" }), {
    io: { out: () => undefined, err: () => undefined },
    env,
    version: "test",
    logger,
  });
  return { name, gateway, logger, workspace: demo.workspace, stdinDir, proxy };
}

beforeAll(async () => {
  variants.push(...(await Promise.all([startVariant("fast path", {}), startVariant("SDK path", { [TOOLS_CALL_FAST_PATH_ENV]: "off" })])));
});

afterAll(async () => {
  await Promise.all(variants.map((variant) => variant.gateway.close()));
  await Promise.all(stops.map((stop) => stop()));
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

const call = (id: unknown, params: unknown, more: Record<string, unknown> = {}) => ({ jsonrpc: "2.0", id, method: "tools/call", params, ...more });

/** The recorded session: each body as the client sent it (a workspace path is filled in per gateway). */
function recordedSession(workspace: string): Array<{ what: string; body: unknown }> {
  return [
    {
      what: "initialize",
      body: {
        jsonrpc: "2.0",
        id: 0,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "replay", version: "1" } },
      },
    },
    { what: "initialized", body: { jsonrpc: "2.0", method: "notifications/initialized" } },
    { what: "tools/list", body: { jsonrpc: "2.0", id: 1, method: "tools/list" } },
    { what: "a good call", body: call(2, { name: "everything___echo", arguments: { message: "hello" } }) },
    { what: "a string id and no arguments", body: call("s-3", { name: "everything___get-tiny-image" }) },
    { what: "_meta without a progress token", body: call(4, { _meta: { note: "x" }, name: "everything___echo", arguments: { message: "m" } }) },
    { what: "params members the schema drops", body: call(5, { name: "everything___echo", arguments: { message: "m" }, extra: true }) },
    { what: "a progress token (the SDK path in both)", body: call(6, { _meta: { progressToken: 6 }, name: "everything___echo", arguments: { message: "p" } }) },
    { what: "no tool name", body: call(7, { arguments: { message: "hello" } }) },
    { what: "arguments not an object", body: call(8, { name: "everything___echo", arguments: "hello" }) },
    { what: "params not an object", body: call(9, "everything___echo") },
    { what: "a fractional id", body: call(10.5, { name: "everything___echo", arguments: { message: "hello" } }) },
    { what: "a member JSON-RPC does not know", body: call(11, { name: "everything___echo", arguments: { message: "hello" } }, { extra: 1 }) },
    { what: "no jsonrpc version", body: { id: 12, method: "tools/call", params: { name: "everything___echo", arguments: { message: "h" } } } },
    { what: "an unknown server", body: call(13, { name: "nowhere___echo", arguments: {} }) },
    { what: "an unknown tool of a known server", body: call(14, { name: "everything___no-such-tool", arguments: {} }) },
    { what: "a tool result with isError", body: call(15, { name: "everything___get-sum", arguments: { a: "one", b: 2 } }) },
    { what: "a large result", body: call(16, { name: "everything___echo", arguments: { message: "x".repeat(256 * 1024) } }) },
    { what: "a read that taints the agent", body: call(17, { name: "files___read_text_file", arguments: { path: join(workspace, "private/salaries.md") } }) },
    {
      what: "a write the guard denies",
      body: call(18, { name: "memory___create_entities", arguments: { entities: [{ name: "x", entityType: "note", observations: ["y"] }] } }),
    },
    { what: "a batch holding a call", body: [call(19, { name: "everything___echo", arguments: { message: "b" } })] },
  ];
}

/** Calls to the streamable HTTP backend, made before the session's read taints the agent. */
function webCalls(): Array<{ what: string; body: unknown }> {
  return [
    { what: "an HTTP backend's call", body: call(30, { name: "web___echo", arguments: { message: "over http" } }) },
    { what: "an HTTP backend's isError result", body: call(31, { name: "web___get-sum", arguments: { a: "one", b: 2 } }) },
    { what: "an HTTP backend's large result", body: call(32, { name: "web___echo", arguments: { message: "y".repeat(64 * 1024) } }) },
    {
      what: "an HTTP backend's call with a progress token",
      body: call(33, { _meta: { progressToken: "t" }, name: "web___echo", arguments: { message: "p" } }),
    },
  ];
}

/** The headers whose value the client may act on; the session id is normalised (it is random). */
function comparable(response: RawResponse, sessionId: string | undefined): Record<string, unknown> {
  const headers = Object.fromEntries(
    ["content-type", "content-length", "transfer-encoding", "mcp-session-id", "retry-after"].map((name) => [name, response.headers[name]]),
  );
  if (sessionId !== undefined && headers["mcp-session-id"] === sessionId) headers["mcp-session-id"] = "<session>";
  // A backend's own list_changed notification rides on whichever reply is open when it arrives: its
  // place is the backend's timing, not the path under test (seen under load).
  const body = response.body.replace(/event: message\ndata: \{"jsonrpc":"2\.0","method":"notifications\/\w+\/list_changed"\}\n\n/g, "");
  return { status: response.status, headers, body };
}

async function replay(variant: Variant): Promise<Array<{ what: string; answer: Record<string, unknown> }>> {
  const { port, agentId } = variant.gateway;
  const base = `http://127.0.0.1:${port}`;
  const headers: Record<string, string> = { Authorization: agentId, "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
  let sessionId: string | undefined;
  const answers = [];
  const session = recordedSession(variant.workspace);
  const tainting = session.findIndex((step) => step.what === "a read that taints the agent");
  session.splice(tainting, 0, ...webCalls());
  for (const { what, body } of session) {
    // Read to the end: a backend's list_changed may arrive first on an event stream, before the answer.
    const response = await rawRequest(base, "POST", "/mcp", { ...headers, ...(sessionId ? { "Mcp-Session-Id": sessionId } : {}) }, JSON.stringify(body), {
      wholeEventStream: true,
    });
    sessionId ??= response.headers["mcp-session-id"];
    answers.push({ what, answer: comparable(response, sessionId) });
  }
  return answers;
}

describe("tools/call outside the SDK's Protocol", () => {
  // First: the recorded session's read taints the agent, which may then send nothing to server-everything.
  it("refuses a second call with the id of one still in flight, relays the backend's request on the first call's reply, and then answers it", async () => {
    const [fast, sdk] = await Promise.all(variants.map(inFlightRoundTrip));
    expect(fast).toEqual(sdk);
    expect(fast!.contentType).toBe("text/event-stream");
    expect(fast!.duplicate).toEqual({
      status: 200,
      body: expect.stringContaining('"code":-32600,"message":"Invalid Request: a request with id 40 is already in flight'),
    });
    expect(fast!.events).toMatch(/^event: message\ndata: \{"method":"sampling\/createMessage"[\s\S]*"id":40\}\n\n$/m);
    expect(fast!.events).toContain("sampled!");
  });

  it("stops a call the agent cancels with notifications/cancelled, and answers nothing for it", async () => {
    const [fast, sdk] = await Promise.all(variants.map(cancelledCall));
    expect(fast).toEqual(sdk);
    expect(fast!.cancelStatus).toBe(202);
    expect(fast!.backendCallEnded).toMatch(/cancel/i);
    expect(fast!.events).not.toContain('"id":41}');
  });

  it("answers a recorded session byte for byte as the SDK path does, and sends the backends the same bytes", async () => {
    // One variant at a time, so the SDK Client's requests counted belong to the variant replayed.
    const sdkRequests = vi.spyOn(Client.prototype, "request");
    const replayed = [];
    for (const variant of variants) {
      sdkRequests.mockClear();
      const answers = await replay(variant);
      const sdkToolCalls = sdkRequests.mock.calls.filter(([request]) => request.method === "tools/call").length;
      replayed.push({ answers, sdkToolCalls, backends: await backendTranscripts(variant) });
    }
    sdkRequests.mockRestore();
    const [fast, sdk] = replayed.map((variant) => variant.answers);
    expect(fast).toEqual(sdk);
    expect(replayed[0]!.backends).toEqual(replayed[1]!.backends);
    // Both paths were taken: with the fast path only calls with a progress token (one per backend) use the SDK's Client.
    expect(replayed[0]!.sdkToolCalls).toBe(2);
    expect(replayed[1]!.sdkToolCalls).toBeGreaterThan(10);
    expect(replayed[0]!.backends.web).toContain('"params":{"name":"echo","arguments":{"message":"over http"}},"jsonrpc":"2.0","id":');
    // The earlier tests' calls went to the same processes: the agent's cancellation reached the backend as the SDK words it.
    expect(replayed[0]!.backends.stdio.join("")).toMatch(
      /\{"jsonrpc":"2\.0","method":"notifications\/cancelled","params":\{"requestId":\d+,"reason":"AbortError: the agent cancelled the request"\}\}/,
    );
    expect(body("a large result", fast!).length).toBeGreaterThan(256 * 1024);
    // The session did what it was recorded for, so the comparison covers each case.
    expect(body("a good call", fast!)).toBe('{"result":{"content":[{"type":"text","text":"Echo: hello"}]},"jsonrpc":"2.0","id":2}');
    expect(body("no tool name", fast!)).toMatch(/"code":-32602,"message":"Invalid params for tools\/call: params.name: /);
    expect(body("an unknown server", fast!)).toContain('"code":-32602,"message":"unknown tool \\"nowhere___echo\\"');
    expect(body("a tool result with isError", fast!)).toContain('"isError":true');
    expect(body("an HTTP backend's call", fast!)).toContain("Echo: over http");
    expect(body("a write the guard denies", fast!)).toMatch(/"error":\{"code":-32\d+,"message":"[^"]*secrecy/i);
  });
});

function body(what: string, answers: Array<{ what: string; answer: Record<string, unknown> }>): string {
  return String(answers.find((step) => step.what === what)?.answer["body"]);
}

/**
 * What the backends of `variant` were sent: every stdio process's stdin whole (sorted, since the
 * processes start in no fixed order), and the HTTP server's request bodies in order. The gateway's
 * own progress tokens count across the gateways in this process, so their numbers are normalised.
 */
async function backendTranscripts(variant: Variant): Promise<{ stdio: string[]; web: string }> {
  const normalised = (text: string) => text.replace(/"flowgate-progress-\d+"/g, '"flowgate-progress-<n>"');
  const files = await readdir(variant.stdinDir);
  const stdio = await Promise.all(files.map(async (file) => normalised(await readFile(join(variant.stdinDir, file), "utf8"))));
  return { stdio: stdio.sort(), web: normalised(variant.proxy.bodies.join("\n")) };
}

/** Opens a session able to sample and starts a call that waits on the agent; resolves once the backend's request has arrived. */
async function callWaitingOnTheAgent(variant: Variant, id: number) {
  const session = await openRawSession(`http://127.0.0.1:${variant.gateway.port}/mcp`, { Authorization: variant.gateway.agentId }, { sampling: {} });
  const response = await session.post(call(id, { name: "everything___trigger-sampling-request", arguments: { prompt: "hi", maxTokens: 5 } }));
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let events = "";
  // The backend may first tell of its tools (it adds the sampling tool once it knows the client can sample).
  const samplingRequest = () => /^data: (\{"method":"sampling\/createMessage".*)$/m.exec(events)?.[1];
  while (samplingRequest() === undefined) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`the call ended without asking the agent to sample: ${events}`);
    events += chunk.value;
  }
  return { session, response, reader, events, sampling: JSON.parse(samplingRequest()!) as { id: number } };
}

async function cancelledCall(variant: Variant) {
  const { session, reader, events } = await callWaitingOnTheAgent(variant, 41);
  const backendCallEnded = variant.logger.nextFailedCall();
  const cancel = await session.post({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 41, reason: "changed my mind" } });
  await cancel.text();
  const ended = await backendCallEnded;
  await reader.cancel();
  return { cancelStatus: cancel.status, backendCallEnded: ended, events };
}

/**
 * A call the backend answers only after asking the agent (sampling): the request reaches the agent
 * on the call's own reply, which proves the call in flight; a second call with its id is refused
 * then; the agent's answer lets the first call end.
 */
async function inFlightRoundTrip(variant: Variant) {
  const { session, response: first, reader, sampling, events: head } = await callWaitingOnTheAgent(variant, 40);
  let events = head;
  const second = await session.post(call(40, { name: "everything___echo", arguments: { message: "again" } }));
  const duplicate = { status: second.status, body: await second.text() };
  const answered = await session.post({
    jsonrpc: "2.0",
    id: sampling.id,
    result: { model: "m", role: "assistant", content: { type: "text", text: "sampled!" } },
  });
  await answered.text();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) events += chunk.value;
  return { contentType: first.headers.get("content-type"), duplicate, answeredStatus: answered.status, events };
}
