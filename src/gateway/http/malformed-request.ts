import type { Socket } from "node:net";
import type { Duplex } from "node:stream";

/**
 * Node's HTTP parser rejects a request whose headers hold control characters before the gateway
 * sees it. For a malformed Authorization header the reference answers 400 with a JSON body, so
 * the parser error is turned into that answer here; other parse errors get a plain 400.
 */
export function answerMalformedRequest(error: Error & { rawPacket?: Buffer }, socket: Duplex, onAuthRejected: (path: string) => void): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const raw = error.rawPacket?.toString("latin1") ?? "";
  const authValue = /^authorization:([^\r\n]*)/im.exec(raw)?.[1];
  // eslint-disable-next-line no-control-regex
  const malformedAuth = authValue !== undefined && /[\u0000-\u0008\u000b-\u001f\u007f]/.test(authValue);
  const body = malformedAuth ? JSON.stringify({ error: "bad_request", message: "malformed Authorization header" }) : "Bad Request";
  if (malformedAuth) onAuthRejected(/^\S+ (\S+)/.exec(raw)?.[1] ?? "?");
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: ${malformedAuth ? "application/json" : "text/plain; charset=utf-8"}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Node's request or headers timeout expired before the whole request arrived (a client sending
 * slowly holds a connection and its buffers): 408 and the connection closed, unless part of a
 * response was already written, when the connection is only closed.
 */
export function answerRequestTimeout(socket: Duplex, requestTimeoutMs: number, headersTimeoutMs: number): void {
  if (!socket.writable || (socket as Socket).bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: null,
    error: {
      code: -32000,
      message: `Request Timeout: the request's headers must arrive within ${headersTimeoutMs} ms (--headers-timeout) and the whole request within ${requestTimeoutMs} ms (--request-timeout)`,
    },
  });
  // Closed once the answer is out, not half-open: the rest of the request is never read.
  socket.end(
    `HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
