import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "node:net";
import { DEFAULT_LIMITS } from "../../src/config/defaults.ts";
import { gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { MEMORY_SCRIPT, stdioServer } from "../support/mcp-servers.ts";
import { openRawSession, rawConnection } from "../support/raw-http.ts";

// Attack: a request body over the size limit sent with chunked transfer encoding (no
// Content-Length to refuse it by) was read up to the limit and then met with a connection reset,
// not a 413. With --max-message-size 64 KiB, such a body is answered 413 and the connection
// closed, without the gateway reading on, whether the body is chunked or announced.
const LIMIT = 64 * 1024;
/** Far more than the gateway would read on main (16 MiB): a client that is never stopped stops here. */
const CAP = 48 * 1024 * 1024;
let gateway: RunningGateway;
let sessionId: string;

beforeAll(async () => {
  gateway = await runGateway(
    gatewayConfig([stdioServer("memory", MEMORY_SCRIPT)], { agentId: "big-agent" }),
    runtimeOptions({ limits: { ...DEFAULT_LIMITS, maxMessageBytes: LIMIT } }),
  );
  const entry = gateway.entry("memory");
  sessionId = (await openRawSession(entry.url, entry.headers)).id;
});

afterAll(async () => {
  expect(await gateway.stop()).toBe(0);
});

/** Writes body pieces until the gateway has answered and closed the connection, or CAP bytes are out; returns the bytes written. */
async function writeUntilClosed(socket: Socket, closed: Promise<unknown>, piece: Buffer): Promise<number> {
  let over = false;
  void closed.then(() => (over = true));
  let sent = 0;
  while (!over && sent < CAP) {
    sent += piece.length;
    if (!socket.write(piece)) await Promise.race([new Promise((resolve) => socket.once("drain", resolve)), closed]);
    else await new Promise(setImmediate);
  }
  return sent;
}

describe("a request body over --max-message-size", () => {
  const data = "x".repeat(16 * 1024);
  it.each([
    ["chunked, opening a session", false, "Transfer-Encoding: chunked", Buffer.from(`${data.length.toString(16)}\r\n${data}\r\n`)],
    ["chunked, in a session", true, "Transfer-Encoding: chunked", Buffer.from(`${data.length.toString(16)}\r\n${data}\r\n`)],
    ["announced by Content-Length, in a session", true, `Content-Length: ${CAP}`, Buffer.from(data)],
  ])("is answered 413 and the connection closed without reading on: %s", async (_case, inSession, framing, piece) => {
    const { socket, answered } = rawConnection(gateway.baseUrl);
    socket.on("error", () => undefined);
    socket.write(
      `POST /mcp/memory HTTP/1.1\r\nHost: ${new URL(gateway.baseUrl).host}\r\nAuthorization: big-agent\r\nContent-Type: application/json\r\n` +
        `Accept: application/json, text/event-stream\r\n${inSession ? `Mcp-Session-Id: ${sessionId}\r\n` : ""}${framing}\r\n\r\n`,
    );
    const sent = await writeUntilClosed(socket, answered, piece);
    const { response } = await answered;
    expect(response.status).toBe(413);
    expect(response.headers["connection"]).toBe("close");
    expect(JSON.parse(response.body)).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32000, message: `Payload Too Large: Request body must not exceed ${LIMIT} bytes (the gateway's --max-message-size)` },
    });
    // The gateway stopped reading near the limit: what the client could still push into socket buffers, not the whole body.
    expect(sent).toBeLessThan(CAP / 4);
  });
});
