import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayConfig, runGateway, type RunningGateway } from "../support/gateway.ts";
import { stdioServer } from "../support/mcp-servers.ts";
import { openRawSession, type RawSession } from "../support/raw-http.ts";

// Attack: two requests with the same JSON-RPC id in flight in one session. Replies were matched
// to POSTs by id, so one POST got the other's result and the other was never answered (kept open
// with keep-alives); a batch holding a duplicate id hung. Now the second request with an id in
// flight is refused at once, and every other request keeps its own answer.
const LARGE_ANSWER_SCRIPT = fileURLToPath(new URL("../support/large-answer-server.ts", import.meta.url));
let gateway: RunningGateway;
let session: RawSession;

beforeAll(async () => {
  gateway = await runGateway(gatewayConfig([stdioServer("large", LARGE_ANSWER_SCRIPT)], { agentId: "dup-agent" }));
  const entry = gateway.entry("large");
  session = await openRawSession(entry.url, entry.headers);
});

afterAll(async () => {
  expect(await gateway.stop()).toBe(0);
});

const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name, arguments: args },
});
const text = (value: string) => ({ content: [{ type: "text", text: value }] });
const inFlight = (id: number) => ({
  jsonrpc: "2.0",
  id,
  error: { code: -32600, message: `Invalid Request: a request with id ${id} is already in flight in this session; use a new id` },
});

describe("requests whose id is already in flight in the session", () => {
  it("refuses a second POST with the id of a call still running, at once, and the first gets its own answer", async () => {
    // "held" is answered only after "large" has been: it stays in flight until then.
    let heldSettled = false;
    const held = session.post(call(5, "held")).then(async (response) => {
      heldSettled = true;
      return response.json();
    });
    expect(await (await session.post(call(1, "await-held"))).json()).toEqual({ jsonrpc: "2.0", id: 1, result: text("held is in flight") });
    const duplicate = await session.post(call(5, "echo", { message: "impostor" }));
    expect(duplicate.status).toBe(200);
    expect(await duplicate.json()).toEqual(inFlight(5));
    expect(heldSettled).toBe(false);

    expect(await (await session.post(call(6, "large", { bytes: 3 }))).json()).toEqual({ jsonrpc: "2.0", id: 6, result: text("xxx") });
    expect(await held).toEqual({ jsonrpc: "2.0", id: 5, result: text("held answered") });
  });

  it("answers a batch holding one id twice: the first with its result, the repeat with an error, the rest as usual", async () => {
    const response = await session.post([call(7, "echo", { message: "a" }), call(7, "echo", { message: "b" }), call(8, "echo", { message: "c" })]);
    expect(response.status).toBe(200);
    const answers = (await response.json()) as unknown[];
    expect(answers).toHaveLength(3);
    expect(answers).toEqual(expect.arrayContaining([{ jsonrpc: "2.0", id: 7, result: text("a") }, inFlight(7), { jsonrpc: "2.0", id: 8, result: text("c") }]));
  });
});

describe("malformed requests in a session", () => {
  it.each([
    ["an empty batch", [], 400, { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid Request: a batch must hold at least one message" } }],
    [
      "tools/call without a tool name",
      { jsonrpc: "2.0", id: 9, method: "tools/call", params: { arguments: {} } },
      200,
      { jsonrpc: "2.0", id: 9, error: { code: -32602, message: expect.stringMatching(/^Invalid params for tools\/call: params\.name: .{1,80}$/) } },
    ],
    [
      "tools/call with arguments that are not an object",
      { jsonrpc: "2.0", id: 10, method: "tools/call", params: { name: "echo", arguments: "hi" } },
      200,
      { jsonrpc: "2.0", id: 10, error: { code: -32602, message: expect.stringMatching(/^Invalid params for tools\/call: params\.arguments: .{1,80}$/) } },
    ],
  ])("answers %s with a short JSON-RPC error", async (_case, body, status, answer) => {
    const response = await session.post(body);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual(answer);
  });
});
