// A minimal MCP server, written without the SDK so that it can answer what no SDK server would
// build. Its tool "deep" answers with a result holding an array nested `depth` levels deep (the
// text is built, not serialised, so the server itself never recurses), and "flat" answers
// plainly. "bad" answers with the malformed message of its `kind` (BAD_ANSWERS), written as is,
// once a "held" call has arrived; that call is answered right after it, so it is in flight meanwhile.
// Over stdio by default; `http json` or `http sse` serves streamable HTTP on PORT (0: any) at
// 127.0.0.1, each request answered in the body of its POST, as JSON or as an SSE stream (start it
// with startListeningScript); `http plain` answers as JSON but refuses notifications, as a plain
// JSON-RPC server does, so a gateway falls back to its plain JSON-RPC transport.
// Run with Node 24: `node test/support/deep-answer-server.ts [http json|sse|plain]`.
import { createServer, type IncomingMessage } from "node:http";
import { createInterface } from "node:readline";

const tools = [
  { name: "deep", description: "Answers with an array nested `depth` levels deep", inputSchema: { type: "object", properties: { depth: { type: "number" } } } },
  { name: "flat", description: "Answers plainly", inputSchema: { type: "object", properties: {} } },
  { name: "held", description: "Answered right after the next bad answer", inputSchema: { type: "object", properties: {} } },
  { name: "bad", description: "Answers with a malformed message of its kind", inputSchema: { type: "object", properties: { kind: { type: "string" } } } },
];

/** What the backend's own answer carries, which no error about it should repeat. */
export const PAYLOAD_MARKER = "payload-marker-";
const payload = JSON.stringify({ content: [{ type: "text", text: PAYLOAD_MARKER.repeat(2000) }] });

/** The messages "bad" answers with, by kind, for the request `id` (JSON). */
export const BAD_ANSWERS = {
  "result-not-object": (id: string) => [`{"jsonrpc":"2.0","id":${id},"result":${JSON.stringify(PAYLOAD_MARKER.repeat(2000))}}`],
  "unknown-member": (id: string) => [`{"jsonrpc":"2.0","id":${id},"result":${payload},"${PAYLOAD_MARKER.repeat(200)}":1}`],
  "result-and-error": (id: string) => [`{"jsonrpc":"2.0","id":${id},"result":${payload},"error":{"code":-32000,"message":"both"}}`],
  // Then the real answer: the message without a usable id must not have settled the call.
  "no-usable-id": (id: string) => [
    `{"jsonrpc":"2.0","id":null,"result":${payload}}`,
    `{"jsonrpc":"2.0","id":${id},"result":{"content":[{"type":"text","text":"answered after a message with no usable id"}]}}`,
  ],
} satisfies Record<string, (id: string) => string[]>;

interface Request {
  id?: unknown;
  method: string;
  params?: { name?: string; arguments?: { depth?: number; kind?: string } };
}

function result(id: unknown, resultJson: string): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${resultJson}}`;
}

/** Held calls in flight, oldest first: each one's release, which the next bad answer calls once written. */
const heldCalls: Array<() => void> = [];
let heldCallArrived: () => void = () => undefined;

async function nextHeldCall(): Promise<() => void> {
  while (heldCalls.length === 0) await new Promise<void>((resolve) => (heldCallArrived = resolve));
  return heldCalls.shift()!;
}

/** Answers one request: `send` writes each message of its answer, in order. */
async function answer(message: Request, send: (line: string) => void): Promise<void> {
  const { id, method, params } = message;
  if (method === "initialize") {
    send(result(id, JSON.stringify({ protocolVersion: "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "deep-answer", version: "1.0.0" } })));
  } else if (method === "tools/list") {
    send(result(id, JSON.stringify({ tools })));
  } else if (method === "tools/call" && params?.name === "deep") {
    const depth = params.arguments?.depth ?? 10;
    send(result(id, `{"content":[{"type":"text","text":"deep"}],"_meta":{"nested":${"[".repeat(depth)}${"]".repeat(depth)}}}`));
  } else if (method === "tools/call" && params?.name === "held") {
    await new Promise<void>((release) => {
      heldCalls.push(release);
      heldCallArrived();
    });
    send(result(id, JSON.stringify({ content: [{ type: "text", text: "held answered" }] })));
  } else if (method === "tools/call" && params?.name === "bad") {
    const releaseHeld = await nextHeldCall();
    for (const line of BAD_ANSWERS[params.arguments?.kind as keyof typeof BAD_ANSWERS](JSON.stringify(id))) send(line);
    releaseHeld();
  } else if (method === "tools/call") {
    send(result(id, JSON.stringify({ content: [{ type: "text", text: "flat answer" }] })));
  } else {
    send(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32601, message: "Method not found" } }));
  }
}

async function serveStdio(): Promise<void> {
  for await (const line of createInterface({ input: process.stdin })) {
    const message = JSON.parse(line) as Request;
    if (message.id !== undefined) void answer(message, (out) => process.stdout.write(`${out}\n`));
  }
}

async function body(request: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of request) text += String(chunk);
  return text;
}

/** Streamable HTTP without sessions or a stream of the server's own (GET is refused, as the spec allows). */
function serveHttp(answerAs: "json" | "sse" | "plain"): void {
  const server = createServer((request, response) => {
    if (request.method !== "POST") {
      response.writeHead(405).end();
      return;
    }
    void body(request).then(async (text) => {
      const message = JSON.parse(text) as Request;
      if (message.id === undefined) {
        response.writeHead(answerAs === "plain" ? 400 : 202).end();
        return;
      }
      const lines: string[] = [];
      await answer(message, (line) => lines.push(line));
      if (answerAs !== "sse") {
        response.writeHead(200, { "content-type": "application/json" }).end(lines.length === 1 ? lines[0] : `[${lines.join(",")}]`);
      } else {
        response.writeHead(200, { "content-type": "text/event-stream" }).end(lines.map((line) => `event: message\ndata: ${line}\n\n`).join(""));
      }
    });
  });
  // Started through startListeningScript, whose preload reports the port.
  server.listen(Number(process.env["PORT"] ?? 0), "127.0.0.1");
}

// Imported by a test for its constants, it serves nothing.
if (import.meta.main) {
  if (process.argv[2] === "http") serveHttp(process.argv[3] === "sse" || process.argv[3] === "plain" ? process.argv[3] : "json");
  else await serveStdio();
}
