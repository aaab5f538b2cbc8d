import { deserializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import { describe, expect, it } from "vitest";
import { BoundedMessageReader } from "../../src/backends/message-reader.ts";

const LIMIT = 64;
const filler = "y".repeat(200);

/** Everything the reader makes of `lines`, fed in 7-byte pieces: messages, or the error text it threw. */
function readAll(lines: string[], limit = LIMIT): unknown[] {
  const reader = new BoundedMessageReader(limit, (bytes) => `dropped ${bytes} bytes`);
  const bytes = Buffer.from(lines.map((line) => `${line}\n`).join(""));
  for (let at = 0; at < bytes.length; at += 7) reader.append(bytes.subarray(at, at + 7));
  const out: unknown[] = [];
  for (;;) {
    try {
      const message = reader.readMessage();
      if (message === null) return out;
      out.push(message);
    } catch (error) {
      out.push((error as Error).message);
    }
  }
}

const dropped = (id: string | number, line: string) => ({ jsonrpc: "2.0", id, error: { code: -32603, message: `dropped ${Buffer.byteLength(line)} bytes` } });

describe("a stdio message over the limit", () => {
  it.each([
    ["a TypeScript SDK response (id last)", `{"result":{"content":[{"text":"${filler}","id":9}]},"jsonrpc":"2.0","id":7}`, 7],
    ["a Go or Python response (id first)", `{"jsonrpc":"2.0","id":"a\\"b","result":{"t":"${filler}"}}`, 'a"b'],
    ["an error response", `{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"${filler}"}}`, 3],
  ])("fails the call it answers: %s", (_case, line, id) => {
    expect(readAll([line, `{"jsonrpc":"2.0","id":1,"result":{}}`])).toEqual([dropped(id, line), { jsonrpc: "2.0", id: 1, result: {} }]);
  });

  it.each([
    ["a request from the server (not a response to any call)", `{"method":"sampling/createMessage","params":{"t":"${filler}"},"jsonrpc":"2.0","id":3}`],
    ["a response whose id is only in its middle", `{"result":{"t":"${filler}","id":5},"extra":1}`],
  ])("fails no call when it is %s, and reading goes on", (_case, line) => {
    const [first, second] = readAll([line, `{"jsonrpc":"2.0","id":1,"result":{}}`]);
    expect(first).toMatch(/^dropped \d+ bytes; it was not recognisably a response/);
    expect(second).toEqual({ jsonrpc: "2.0", id: 1, result: {} });
  });

  it("reads CRLF-terminated lines, split anywhere, as the same messages", () => {
    const lines = [`{"jsonrpc":"2.0","id":1,"result":{"t":"a\\r"}}\r`, `{"jsonrpc":"2.0","id":2,"result":{}}\r`];
    expect(readAll(lines)).toEqual([
      { jsonrpc: "2.0", id: 1, result: { t: "a\r" } },
      { jsonrpc: "2.0", id: 2, result: {} },
    ]);
  });

  it("passes messages up to the limit whole", () => {
    const exact = `{"jsonrpc":"2.0","id":1,"result":{"t":"${"z".repeat(LIMIT - 42)}"}}`;
    expect(Buffer.byteLength(exact)).toBe(LIMIT);
    expect(readAll([exact])).toEqual([JSON.parse(exact)]);
  });
});

describe("a stdio message within the limit", () => {
  // A plain answer skips the SDK's schema parse; every line must still read as that parse reads it,
  // member for member inside each member (the envelope's own order is never serialised again).
  const text = (message: unknown) => JSON.stringify(Object.fromEntries(Object.entries(message as object).sort()));
  it.each([
    ["a plain result (TypeScript SDK order)", `{"result":{"content":[],"b":1},"jsonrpc":"2.0","id":7}`],
    ["a plain result with a string id", `{"jsonrpc":"2.0","id":"a","result":{"x":[1]}}`],
    ["a result with _meta after its content", `{"jsonrpc":"2.0","id":1,"result":{"c":1,"_meta":{"k":2}}}`],
    ["a __proto__ member in the result", `{"jsonrpc":"2.0","id":1,"result":{"__proto__":{"a":1}}}`],
    ["an error answer", `{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"m"}}`],
    ["a request", `{"jsonrpc":"2.0","id":1,"method":"ping"}`],
  ])("reads as the SDK's deserializeMessage does: %s", (_case, line) => {
    const sdk = (() => {
      try {
        return text(deserializeMessage(line));
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const [ours] = readAll([line]);
    expect(typeof ours === "string" ? ours : text(ours)).toBe(sdk);
  });
});

describe("a stdio line the JSON-RPC message schema refuses", () => {
  // Whatever the reader makes of it, the next line is still read.
  const next = `{"jsonrpc":"2.0","id":2,"result":{}}`;
  const refusal = (id: number | string, message: RegExp) => ({ jsonrpc: "2.0", id, error: { code: -32603, message: expect.stringMatching(message) } });
  it.each([
    [
      "a result that is not an object",
      `{"jsonrpc":"2.0","id":1,"result":"text"}`,
      refusal(1, /^a result response .*\(result: .*expected object, received string\)$/),
    ],
    [
      "a result that is an array",
      `{"jsonrpc":"2.0","id":"a","result":[1]}`,
      refusal("a", /^a result response .*\(result: .*expected object, received array\)$/),
    ],
    [
      "a member JSON-RPC does not know",
      `{"jsonrpc":"2.0","id":1,"result":{},"x":1}`,
      refusal(1, /^a result response .*\(the message: Unrecognized key: "x"\)$/),
    ],
    ["both a result and an error", `{"id":1,"result":{},"error":{"code":1,"message":"m"}}`, refusal(1, /^a response with both a result and an error$/)],
    ["an error without a code", `{"jsonrpc":"2.0","id":1,"error":{"message":"m"}}`, refusal(1, /^an error response .*\(error\.code: .*expected number/)],
    ["no jsonrpc version", `{"id":1,"result":{}}`, refusal(1, /\(jsonrpc: /)],
    [
      "a member name 10 000 characters long",
      `{"jsonrpc":"2.0","id":1,"result":{},"${"k".repeat(10_000)}":1}`,
      refusal(1, /^a result response .*\(the message: Unrecognized key: "k{1,200}…\)$/),
    ],
    ["a fractional id (no usable id)", `{"jsonrpc":"2.0","id":1.5,"result":{}}`, expect.stringMatching(/its id 1\.5 is neither a string nor an integer$/)],
    [
      "a request from the server",
      `{"jsonrpc":"2.0","id":1,"method":"ping","params":1}`,
      expect.stringMatching(/^a request the JSON-RPC message schema refuses \(params: /),
    ],
    [
      "a notification",
      `{"jsonrpc":"2.0","method":"notifications/message","x":1}`,
      expect.stringMatching(/^a notification the JSON-RPC message schema refuses/),
    ],
    ["a batch", `[{"jsonrpc":"2.0","id":1,"result":{}}]`, "a JSON array (MCP sends no batches), not a JSON-RPC message object"],
    ["not JSON", `{"jsonrpc":`, expect.stringMatching(/^a line that is not JSON \(.+\)$/)],
  ])("answers the call it answered with what was wrong, or else fails no call: %s", (_case, line, expected) => {
    expect(readAll([line, next], 1024 * 1024)).toEqual([expected, JSON.parse(next)]);
  });
});
