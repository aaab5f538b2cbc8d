// Property-based fuzzing of the gateway's HTTP front end. One real gateway (bin/flowgate.js as a
// child process, so that a crash is seen as its exit) serves two real server-everything backends,
// one of them behind the echo-labels WASM guard so that calls take the DIFC path. fast-check then
// sends raw HTTP requests: random JSON, JSON-RPC frames with random methods, ids and params,
// batches (empty ones, and ones whose ids repeat), malformed text, and random or malformed
// headers, outside and inside live sessions, up to three at once (so ids also repeat across
// requests in flight). Every request must get, in bounded time, either an HTTP error status or a
// valid JSON (or SSE) answer carrying a well-formed JSON-RPC response for each request that had
// an id; afterwards the gateway must still be running, serve an ordinary SDK client, and still
// enforce the labels the guard gave the agent. fast-check prints the seed and the shrunk
// counterexample of a failure; rerun it with `fc.assert(..., { seed, path })`.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFlowgate, type ClientConfigDocument } from "../../bench/lib/targets.ts";
import type { BenchProcess } from "../../bench/lib/processes.ts";
import { builtGuardPath } from "../support/guards.ts";
import { EVERYTHING_SCRIPT } from "../support/mcp-servers.ts";
import { openRawSession, rawRequest, type RawResponse } from "../support/raw-http.ts";

const RUNS = 250;
const AGENT_ID = "fuzz-agent-0123456789";
const SERVERS = ["everything", "guarded"] as const;
/** tool_timeout of the config: a call that waits on the client (which never answers) ends by then. */
const TOOL_TIMEOUT_S = 5;
/** Far above any answer the gateway gives, including a call ended by the tool timeout. */
const ANSWER_LIMIT_MS = TOOL_TIMEOUT_S * 1000 + 10_000;

const configToml = `[gateway]
agent_id = ${JSON.stringify(AGENT_ID)}
tool_timeout = ${TOOL_TIMEOUT_S}

[servers.everything]
command = ${JSON.stringify(process.execPath)}
args = [${JSON.stringify(EVERYTHING_SCRIPT)}, "stdio"]

[servers.guarded]
command = ${JSON.stringify(process.execPath)}
args = [${JSON.stringify(EVERYTHING_SCRIPT)}, "stdio"]
guard = "labels"

[guards.labels]
type = "wasm"
path = ${JSON.stringify(builtGuardPath("echo-labels"))}

[guards.labels.policy.allow-only]
repos = "all"
min-integrity = "none"
`;

let gateway: BenchProcess;
let document: ClientConfigDocument;
let baseUrl: string;
/** Sessions opened before the run, per server: the fuzzer sends most in-session frames on these. */
const liveSessions = new Map<string, string>();

const initializeParams = { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "fuzz", version: "1" } };

beforeAll(async () => {
  ({ child: gateway, document } = await startFlowgate(configToml));
  baseUrl = new URL(document.mcpServers["everything"]!.url).origin;
  for (const server of SERVERS) {
    const entry = document.mcpServers[server]!;
    liveSessions.set(server, (await openRawSession(entry.url, entry.headers ?? {})).id);
  }
}, 60_000);

afterAll(async () => {
  await gateway?.kill();
});

// ---- generators ---------------------------------------------------------------------------

const METHODS = [
  "initialize",
  "ping",
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/read",
  "resources/templates/list",
  "resources/subscribe",
  "prompts/list",
  "prompts/get",
  "completion/complete",
  "logging/setLevel",
  "notifications/initialized",
  "notifications/cancelled",
  "notifications/progress",
  "notifications/roots/list_changed",
];
/**
 * Tools of server-everything that answer on their own. Left out: the sampling, elicitation and
 * roots triggers and the long-running operation (they wait on the client or a clock, up to the
 * tool timeout: legitimate, but slow), the logging and subscription toggles (they start timers
 * in the backend), gzip-file-as-resource (it fetches a URL) and get-env (a failure would print
 * the environment).
 */
const TOOLS = ["echo", "get-sum", "get-tiny-image", "get-annotated-message", "get-structured-content", "get-resource-reference", "get-resource-links"];

/** Ids from a small range collide now and then, across a batch and across concurrent requests, as a careless client's would. */
const requestId = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: -2, max: 30 }) }, fc.integer(), fc.string({ maxLength: 4 }));
/** Ids JSON-RPC (or the SDK) does not accept. */
const invalidId = fc.constantFrom(null, 1.5, true, {}, [], Number.MAX_SAFE_INTEGER + 2);
const methodName = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...METHODS) }, fc.string());
const anyParams = fc.oneof(
  fc.constant(initializeParams),
  fc.record(
    { uri: fc.constantFrom("demo://resource/static/document/architecture.md", "file:///etc/passwd"), name: fc.string(), cursor: fc.string() },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

const toolCallParams = fc.record(
  {
    name: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TOOLS) }, fc.string(), fc.jsonValue({ maxDepth: 1 })),
    arguments: fc.oneof(
      fc.record({ message: fc.oneof(fc.string(), fc.constant("a private note")) }),
      fc.record({ a: fc.oneof(fc.integer(), fc.string()), b: fc.oneof(fc.integer(), fc.double()) }, { requiredKeys: [] }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    _meta: fc.record({ progressToken: fc.oneof(fc.integer(), fc.string()) }),
  },
  { requiredKeys: ["name"] },
);

/** JSON-RPC messages: mostly well-formed requests (tool calls above all), also notifications, responses and malformed ones. */
const messageArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.record({ jsonrpc: fc.constant("2.0"), id: requestId, method: fc.constant("tools/call"), params: toolCallParams }) },
  {
    weight: 4,
    arbitrary: fc.record({ jsonrpc: fc.constant("2.0"), id: requestId, method: methodName, params: anyParams }, { requiredKeys: ["jsonrpc", "id", "method"] }),
  },
  { weight: 2, arbitrary: fc.record({ jsonrpc: fc.constant("2.0"), method: methodName, params: anyParams }, { requiredKeys: ["jsonrpc", "method"] }) },
  { weight: 1, arbitrary: fc.record({ jsonrpc: fc.constant("2.0"), id: requestId, result: fc.jsonValue({ maxDepth: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ jsonrpc: fc.constant("2.0"), id: requestId, error: fc.record({ code: fc.integer(), message: fc.string() }) }) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        jsonrpc: fc.constantFrom("2.0", "1.0", 2, null),
        id: fc.oneof(requestId, invalidId),
        method: fc.oneof(methodName, fc.constantFrom(1, null, ["tools/list"])),
        params: fc.oneof(toolCallParams, anyParams),
        result: fc.jsonValue({ maxDepth: 1 }),
        error: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    ),
  },
);

const bodyArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: messageArbitrary.map((message) => JSON.stringify(message)) },
  { weight: 4, arbitrary: fc.array(messageArbitrary, { maxLength: 4 }).map((batch) => JSON.stringify(batch)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 64 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(messageArbitrary, fc.nat(), fc.string({ maxLength: 2 }))
      .map(([message, at, inserted]) => corrupt(JSON.stringify(message), at, inserted)),
  },
);

/** A frame with one character replaced by `inserted` (none: cut out), at `at` modulo its length. */
function corrupt(text: string, at: number, inserted: string): string {
  const i = at % text.length;
  return text.slice(0, i) + inserted + text.slice(i + 1);
}

/**
 * One header: usually what a real client sends (undefined: not sent), else another plausible value,
 * a random one or a malformed one, so that most requests get past the checks and some do not. CR
 * and LF are left out: in a raw request they end the header block, which makes a different
 * request, not a malformed header (and a forged Content-Length would make the server rightly
 * wait for a body).
 */
const header = (usual: string | undefined, ...others: string[]) =>
  fc.oneof(
    { weight: 40, arbitrary: fc.constant(usual) },
    { weight: 2, arbitrary: fc.constantFrom(...others) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 20 }) },
    { weight: 1, arbitrary: fc.constantFrom("\u0001", "x\u007fy", "\t", " ", "é", "a".repeat(2000), "..", "../x", "a/b", "") },
  );

const headersArbitrary = fc
  .record({
    "Content-Type": header("application/json", "application/json; charset=utf-8", "text/plain", "application/json; charset=latin1", "application/jsonx"),
    Accept: header("application/json, text/event-stream", "application/json", "text/event-stream", "*/*"),
    Authorization: header(AGENT_ID, `Bearer ${AGENT_ID}`, "wrong-agent", `${AGENT_ID} `),
    // Each distinct one is a sub-agent with a backend process of its own (up to the gateway's cap).
    "X-Agent-ID": header(undefined, "agent-a", "agent-b"),
    Origin: header(undefined, "http://localhost", "http://127.0.0.1", "https://evil.example", "null"),
    // Undefined: the listener's own address, as a client that dialled it sends.
    Host: header(undefined, "localhost", "127.0.0.1", "evil.example", "[::1]"),
  })
  .map((headers) => Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined)));

type SessionChoice = "live" | "none" | "other-server" | "unknown";

const requestArbitrary = fc.record({
  httpMethod: fc.oneof({ weight: 12, arbitrary: fc.constant("POST") }, fc.constantFrom("GET", "DELETE", "PUT", "OPTIONS", "PATCH")),
  server: fc.constantFrom(...SERVERS),
  // "server": the chosen server's own route. /close is left out: it shuts the gateway down, by design.
  path: fc.oneof(
    { weight: 10, arbitrary: fc.constant("server") },
    fc.constantFrom("/mcp", "/mcp/", "/mcp/nope", "/health", "/reflect", "/mcp/everything/x", "/%2e%2e/mcp", "/mcp/everything?x=1"),
  ),
  session: fc.oneof(
    { weight: 4, arbitrary: fc.constant<SessionChoice>("live") },
    { weight: 2, arbitrary: fc.constant<SessionChoice>("none") },
    fc.constantFrom<SessionChoice>("other-server", "unknown"),
  ),
  unknownSession: fc.oneof(fc.uuid(), fc.string({ unit: "grapheme-ascii", maxLength: 40 })),
  headers: headersArbitrary,
  body: bodyArbitrary,
});
type FuzzRequest = typeof requestArbitrary extends fc.Arbitrary<infer T> ? T : never;

// ---- what the answers must be ----------------------------------------------------------------

/** The ids of the well-formed requests of a body: each of them must be answered. */
function expectedIds(body: string): Array<string | number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const messages = Array.isArray(parsed) ? parsed : [parsed];
  return messages
    .filter((m): m is { id: string | number } => {
      if (m === null || typeof m !== "object" || Array.isArray(m)) return false;
      const { jsonrpc, method, id } = m as Record<string, unknown>;
      return jsonrpc === "2.0" && typeof method === "string" && (typeof id === "string" || Number.isSafeInteger(id));
    })
    .map((m) => m.id);
}

/** Every data line of an SSE body, each a JSON-RPC message. */
function eventMessages(body: string): unknown[] {
  return body
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => JSON.parse(line.slice(5)));
}

function assertJsonRpcResponse(message: unknown, allowedIds: ReadonlyArray<string | number>): void {
  expect(message, "a JSON-RPC message is an object").toBeTypeOf("object");
  const m = message as Record<string, unknown>;
  expect(m.jsonrpc).toBe("2.0");
  if ("method" in m) return; // a notification or server-to-client request relayed on an SSE answer
  expect("result" in m !== "error" in m, `exactly one of result and error: ${JSON.stringify(m)}`).toBe(true);
  if ("error" in m) {
    const error = m.error as Record<string, unknown>;
    expect(Number.isInteger(error.code) && typeof error.message === "string", `error shape: ${JSON.stringify(m)}`).toBe(true);
  }
  // An answer to something that was not a request of this body is a reply sent to the wrong place.
  if (m.id !== null) expect(allowedIds, `reply id ${JSON.stringify(m.id)} belongs to no request of this frame`).toContainEqual(m.id);
}

/** Paths whose JSON answers are not JSON-RPC. */
const NOT_MCP_PATHS = ["/health", "/reflect"];

function assertAnswer(request: FuzzRequest, response: RawResponse): void {
  const { body } = request;
  const context = `${request.httpMethod} ${response.status} ${response.headers["content-type"] ?? ""} ${response.body.slice(0, 300)}`;
  expect(Number.isInteger(response.status) && response.status >= 200 && response.status < 600, context).toBe(true);
  const contentType = response.headers["content-type"] ?? "";
  if (response.status >= 400) {
    if (contentType.startsWith("application/json")) expect(() => JSON.parse(response.body), context).not.toThrow();
    return;
  }
  const mcpPost = request.httpMethod === "POST" && !NOT_MCP_PATHS.includes(request.path);
  const ids = mcpPost ? expectedIds(body) : [];
  // JSON-RPC: an empty batch is one Invalid Request, answered with a single error.
  if (mcpPost && body === "[]") expect(JSON.parse(response.body || "null"), context).toMatchObject({ error: { code: -32600 } });
  let messages: unknown[];
  if (contentType.startsWith("application/json")) {
    const parsed: unknown = JSON.parse(response.body);
    messages = Array.isArray(parsed) ? parsed : [parsed];
  } else if (contentType.startsWith("text/event-stream")) {
    messages = eventMessages(response.body);
  } else {
    // No JSON-RPC answer at all: only right when nothing asked for one (notifications, OPTIONS, /health as text).
    expect(ids, context).toEqual([]);
    return;
  }
  if (!mcpPost) return;
  for (const message of messages) assertJsonRpcResponse(message, ids);
  const answered = new Set(messages.map((m) => (m as { id?: unknown }).id));
  for (const id of ids) expect(answered.has(id), `request ${JSON.stringify(id)} got no reply: ${context}`).toBe(true);
}

function withinLimit<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_LIMIT_MS} ms to ${what}`)), ANSWER_LIMIT_MS);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

async function send(request: FuzzRequest): Promise<void> {
  const path = request.path === "server" ? `/mcp/${request.server}` : request.path;
  const headers: Record<string, string> = { ...request.headers };
  // Only POST carries frames on a live session: a GET there is the long-lived standalone stream
  // and a DELETE would end the session the rest of the run uses.
  const session = request.httpMethod === "POST" || request.session !== "live" ? request.session : "unknown";
  if (session === "live") headers["Mcp-Session-Id"] = liveSessions.get(request.server)!;
  else if (session === "other-server") headers["Mcp-Session-Id"] = liveSessions.get(request.server === "everything" ? "guarded" : "everything")!;
  else if (session === "unknown") headers["Mcp-Session-Id"] = request.unknownSession;
  const what = `${request.httpMethod} ${path} ${JSON.stringify(headers)} ${request.body}`;
  const response = await withinLimit(rawRequest(baseUrl, request.httpMethod, path, headers, request.body, { wholeEventStream: true }), what);
  assertAnswer(request, response);
}

// ---- the properties ----------------------------------------------------------------------------

/** An SDK client configured from the server's stdout entry, as the agent's own would be, after listing tools. */
async function agentClient(server: string): Promise<Client> {
  const entry = document.mcpServers[server]!;
  const client = new Client({ name: "after-fuzz", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers ?? {} } }));
  expect((await client.listTools()).tools.map((tool) => tool.name)).toContain("echo");
  return client;
}

const echo = (client: Client) => client.callTool({ name: "echo", arguments: { message: "still here" } });

describe("the gateway front end under fuzzing", () => {
  it("answers every random request with an HTTP error or matching JSON-RPC replies, and keeps serving and enforcing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(requestArbitrary, { minLength: 1, maxLength: 3 }), async (requests) => {
        expect(gateway.child.exitCode, `the gateway exited:\n${gateway.output().slice(-3000)}`).toBeNull();
        await Promise.all(requests.map(send));
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: 40_000, markInterruptAsFailure: false },
    );
    expect(gateway.child.exitCode, `the gateway exited:\n${gateway.output().slice(-3000)}`).toBeNull();
    expect(gateway.output()).not.toMatch(/uncaught|unhandled/i);
    // The guarded server serves an ordinary call (in filter mode: the result's items as JSON text)...
    const guarded = await agentClient("guarded");
    expect(JSON.stringify((await echo(guarded)).content)).toContain("Echo: still here");
    await guarded.close();
    // ...and the labels it gave the agent survived the fuzzing: echo-labels raised the credential's
    // integrity to "approved", so strict mode still refuses it the unguarded server's unlabelled data.
    const unguarded = await agentClient("everything");
    await expect(echo(unguarded)).rejects.toThrow(/-32030: DIFC Violation: Resource 'noop \(echo\)' has lower integrity than agent requires/);
    await unguarded.close();
  }, 120_000);
});
