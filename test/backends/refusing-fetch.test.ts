import { describe, expect, it } from "vitest";
import type { RefusedMessage } from "../../src/backends/bad-message.ts";
import { refusingFetch } from "../../src/backends/refusing-fetch.ts";

// The SSE reading of refusingFetch, against bodies cut into pieces anywhere: the network is the
// only thing replaced (a backend cannot be made to cut its stream at a chosen byte).

const good = `{"jsonrpc":"2.0","id":1,"result":{"content":[]}}`;
const bad = `{"jsonrpc":"2.0","id":2,"result":"text"}`;
const replaced = (id: number) => JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32603, message: "refused" } });

/** The body `refusingFetch` passes on for an SSE body sent in `pieces` of `size` characters, and what it refused. */
async function passedOn(body: string, size: number): Promise<{ text: string; refused: RefusedMessage[] }> {
  const refused: RefusedMessage[] = [];
  const bytes = new TextEncoder().encode(body);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += size) controller.enqueue(bytes.subarray(at, at + size));
      controller.close();
    },
  });
  const fetchThrough = refusingFetch(
    (message) => (refused.push(message), "refused"),
    async () => new Response(stream, { headers: { "content-type": "text/event-stream" } }),
  );
  const response = await fetchThrough("http://127.0.0.1/mcp");
  return { text: await response.text(), refused };
}

describe("an SSE answer read through refusingFetch", () => {
  it.each([
    ["LF lines, a plain answer", `event: message\nid: 7\ndata: ${good}\n\n`, `event: message\nid: 7\ndata: ${good}\n\n`, 0],
    ["CRLF lines, a refused answer (its id line kept)", `id: 8\r\ndata: ${bad}\r\n\r\n`, `id: 8\ndata: ${replaced(2)}\n\n`, 1],
    ["CR lines, a refused answer", `data: ${bad}\r\r`, `data: ${replaced(2)}\n\n`, 1],
    ["data over several lines", `data: {"jsonrpc":"2.0",\ndata: "id":2,"result":"text"}\n\n`, `data: ${replaced(2)}\n\n`, 1],
    ["an event of another type", `event: ping\ndata: ${bad}\n\n`, `event: ping\ndata: ${bad}\n\n`, 0],
    ["a comment, then an answer", `: keep-alive\n\ndata: ${good}\n\n`, `: keep-alive\n\ndata: ${good}\n\n`, 0],
    ["data that is not JSON (told, passed on)", `data: {"jsonrpc\n\n`, `data: {"jsonrpc\n\n`, 1],
    ["an event its stream ended inside", `data: ${good}\n\ndata: ${bad}`, `data: ${good}\n\ndata: ${bad}`, 0],
  ])("passes each event on as it came, or with a refused answer replaced: %s", async (_case, body, expected, refusals) => {
    for (const size of [1, 2, 3, 5, body.length]) {
      const { text, refused } = await passedOn(body, size);
      expect(text).toBe(expected);
      expect(refused).toHaveLength(refusals);
    }
  });
});

/** What the SDK's `json()` and a reader of the text get for a JSON body POSTed as a request with id 5. */
async function jsonPassedOn(body: string): Promise<{ value: unknown; text: string }> {
  const fetchThrough = refusingFetch(
    () => "refused",
    async () => new Response(body, { headers: { "content-type": "application/json" } }),
  );
  const init = { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/call", params: {} }) };
  const value: unknown = await (await fetchThrough("http://127.0.0.1/mcp", init)).json();
  const text = await (await fetchThrough("http://127.0.0.1/mcp", init)).text();
  return { value, text };
}

describe("a JSON answer read through refusingFetch", () => {
  const refusedAnswer = (id: number) => ({ jsonrpc: "2.0", id, error: { code: -32603, message: "refused" } });
  it.each([
    ["a plain answer, as it came", good, JSON.parse(good) as unknown, good],
    ["a refused answer, replaced", bad, refusedAnswer(2), JSON.stringify(refusedAnswer(2))],
    ["text that is not JSON, as the POSTed request's error", "{oops", refusedAnswer(5), JSON.stringify(refusedAnswer(5))],
    ["a batch, its refused member replaced", `[${good},${bad}]`, [JSON.parse(good), refusedAnswer(2)], JSON.stringify([JSON.parse(good), refusedAnswer(2)])],
  ])("hands the SDK's json() the value it checked, and the same as text: %s", async (_case, body, value, text) => {
    expect(await jsonPassedOn(body)).toEqual({ value, text });
  });
});
