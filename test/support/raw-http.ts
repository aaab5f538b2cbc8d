import { connect, type Socket } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/1.1 request written byte for byte on a socket: fetch and node:http refuse the
 * malformed headers (control characters, foreign Host) that the gateway must reject itself.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = "",
  options: { wholeEventStream?: boolean } = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const lines = [
    `${method} ${path} HTTP/1.1`,
    ...Object.entries({ Host: url.host, Connection: "close", "Content-Length": String(Buffer.byteLength(body)), ...headers }).map(([k, v]) => `${k}: ${v}`),
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const finish = () => {
      socket.destroy();
      resolve(parseResponse(Buffer.concat(chunks).toString("utf8")));
    };
    // An SSE answer may keep the connection open after its last event: stop at the end of the message.
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      if (complete(Buffer.concat(chunks).toString("utf8"), options.wholeEventStream ?? false)) finish();
    });
    socket.on("error", reject);
    socket.on("end", finish);
    socket.write(`${lines.join("\r\n")}\r\n\r\n${body}`);
  });
}

/**
 * A connection for requests sent piece by piece (slowly, or without end): `answered` resolves once
 * the gateway has closed it, with what it wrote, and whether it reset the connection instead of
 * closing it.
 */
export function rawConnection(baseUrl: string): { socket: Socket; answered: Promise<{ response: RawResponse; reset: boolean }> } {
  const url = new URL(baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  const answered = new Promise<{ response: RawResponse; reset: boolean }>((resolve) => {
    let reset = false;
    socket.on("error", () => (reset = true));
    socket.on("close", () => resolve({ response: parseResponse(Buffer.concat(chunks).toString("utf8")), reset }));
  });
  return { socket, answered };
}

function parseResponse(text: string): RawResponse {
  const [head = "", ...rest] = text.split("\r\n\r\n");
  const [statusLine = "", ...headerLines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const at = line.indexOf(":");
    headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
  }
  let body = rest.join("\r\n\r\n");
  if (headers["transfer-encoding"] === "chunked") body = dechunk(body);
  return { status: Number(statusLine.split(" ")[1]), headers, body };
}

/** With `wholeEventStream`, an SSE answer is read to its end (every event of a batch), not to its first event. */
function complete(text: string, wholeEventStream: boolean): boolean {
  const at = text.indexOf("\r\n\r\n");
  if (at === -1) return false;
  const head = text.slice(0, at).toLowerCase();
  const body = text.slice(at + 4);
  const length = /content-length: (\d+)/.exec(head);
  if (length) return Buffer.byteLength(body) >= Number(length[1]);
  if (head.includes("transfer-encoding: chunked"))
    return body.endsWith("0\r\n\r\n") || (!wholeEventStream && head.includes("text/event-stream") && body.includes("\n\n\r\n"));
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

/** An initialized MCP session spoken with plain fetch, for what the SDK client hides: HTTP status, headers, raw JSON-RPC. */
export interface RawSession {
  id: string;
  /** POSTs `body` (JSON-encoded unless a string) on the session. */
  post(body: unknown): Promise<Response>;
}

export async function openRawSession(url: string, headers: Record<string, string>, capabilities: Record<string, unknown> = {}): Promise<RawSession> {
  const send = (body: unknown, session?: string) =>
    fetch(url, {
      method: "POST",
      headers: {
        ...headers,
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
        ...(session ? { "Mcp-Session-Id": session } : {}),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const initialize = { protocolVersion: "2025-06-18", capabilities, clientInfo: { name: "raw-session", version: "1.0.0" } };
  const init = await send({ jsonrpc: "2.0", id: 0, method: "initialize", params: initialize });
  await init.text();
  const id = init.headers.get("mcp-session-id");
  if (init.status !== 200 || id === null) throw new Error(`initialize answered ${init.status}`);
  await (await send({ jsonrpc: "2.0", method: "notifications/initialized" }, id)).text();
  return { id, post: (body) => send(body, id) };
}
