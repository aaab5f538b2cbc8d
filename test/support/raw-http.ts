import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/1.1 request written byte for byte on a socket: fetch and node:http refuse the
 * malformed headers (control characters, foreign Host) that the gateway must reject itself.
 */
export function rawRequest(baseUrl: string, method: string, path: string, headers: Record<string, string>, body = ""): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const lines = [`${method} ${path} HTTP/1.1`, ...Object.entries({ Host: url.host, Connection: "close", "Content-Length": String(Buffer.byteLength(body)), ...headers }).map(([k, v]) => `${k}: ${v}`)];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const finish = () => {
      socket.destroy();
      const text = Buffer.concat(chunks).toString("utf8");
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...headerLines] = head.split("\r\n");
      const responseHeaders: Record<string, string> = {};
      for (const line of headerLines) {
        const at = line.indexOf(":");
        responseHeaders[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
      }
      let responseBody = rest.join("\r\n\r\n");
      if (responseHeaders["transfer-encoding"] === "chunked") responseBody = dechunk(responseBody);
      resolve({ status: Number(statusLine.split(" ")[1]), headers: responseHeaders, body: responseBody });
    };
    // An SSE answer may keep the connection open after its last event: stop at the end of the message.
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      if (complete(Buffer.concat(chunks).toString("utf8"))) finish();
    });
    socket.on("error", reject);
    socket.on("end", finish);
    socket.write(`${lines.join("\r\n")}\r\n\r\n${body}`);
  });
}

function complete(text: string): boolean {
  const at = text.indexOf("\r\n\r\n");
  if (at === -1) return false;
  const head = text.slice(0, at).toLowerCase();
  const body = text.slice(at + 4);
  const length = /content-length: (\d+)/.exec(head);
  if (length) return Buffer.byteLength(body) >= Number(length[1]);
  if (head.includes("transfer-encoding: chunked")) return body.endsWith("0\r\n\r\n") || (head.includes("text/event-stream") && body.includes("\n\n\r\n"));
  return false;
}

function dechunk(text: string): string {
  let out = "";
  let rest = text;
  for (;;) {
    const at = rest.indexOf("\r\n");
    const size = parseInt(rest.slice(0, at), 16);
    if (!size) return out;
    out += rest.slice(at + 2, at + 2 + size);
    rest = rest.slice(at + 2 + size + 2);
  }
}
