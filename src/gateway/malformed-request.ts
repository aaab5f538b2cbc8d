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
