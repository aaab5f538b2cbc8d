import { describe, expect, it } from "vitest";
import { BoundedMessageReader } from "../../src/backends/message-reader.ts";

const LIMIT = 64;
const filler = "y".repeat(200);

/** Everything the reader makes of `lines`, fed in 7-byte pieces: messages, or the error text it threw. */
function readAll(lines: string[]): unknown[] {
  const reader = new BoundedMessageReader(LIMIT, (bytes) => `dropped ${bytes} bytes`);
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
