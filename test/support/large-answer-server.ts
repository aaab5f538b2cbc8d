// A small MCP server over stdio whose tool "large" answers with as many bytes of text as asked,
// and "held" stays in flight meanwhile: "large" waits until "held" has arrived, and "held" is
// answered only after "large", so its answer follows the large one on stdout. "await-held"
// answers once "held" has arrived, which tells a client that "held" is in flight. The request
// "x/busy" is answered with a JSON-RPC error of the backend's own, code -32000. It reads requests
// of up to MAX_REQUEST_BYTES (an "echo" of a large message is one).
// Run with Node 24: `node test/support/large-answer-server.ts`.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

const server = new McpServer({ name: "large-answer", version: "1.0.0" });
let heldArrived: () => void = () => undefined;
const held = new Promise<void>((resolve) => (heldArrived = resolve));
let releaseHeld: () => void = () => undefined;
const released = new Promise<void>((resolve) => (releaseHeld = resolve));

server.registerTool("held", { description: "Answers once a large answer has been written" }, async () => {
  heldArrived();
  await released;
  return { content: [{ type: "text", text: "held answered" }] };
});
server.registerTool("await-held", { description: "Answers once held has arrived" }, async () => {
  await held;
  return { content: [{ type: "text", text: "held is in flight" }] };
});
server.registerTool("large", { description: "Answers with `bytes` bytes of text", inputSchema: { bytes: z.number().int().positive() } }, async ({ bytes }) => {
  await held;
  setImmediate(releaseHeld);
  return { content: [{ type: "text", text: "x".repeat(bytes) }] };
});
server.registerTool("echo", { description: "Echoes its message", inputSchema: { message: z.string() } }, ({ message }) => ({
  content: [{ type: "text", text: message }],
}));

// -32000 is also the code the SDK gives a request whose connection closed, which a gateway must
// not mistake for this answer.
server.server.setRequestHandler(z.object({ method: z.literal("x/busy") }), () => {
  throw new McpError(ErrorCode.ConnectionClosed, "busy: try again later");
});

// The SDK's stdio transport reads at most 10 MiB by default: a longer request (a 12 MiB echo) made it
// close, which left nothing to keep Node's event loop alive, and the server exited with status 0
// without a word. Well over the gateway's default --max-message-size, so that the gateway's limit is
// the one a test meets; and a transport error is said on stderr, which the gateway logs.
const MAX_REQUEST_BYTES = 64 * 1024 * 1024;
server.server.onerror = (error) => console.error(`large-answer-server: ${error.message}`);
await server.connect(new StdioServerTransport(process.stdin, process.stdout, { maxBufferSize: MAX_REQUEST_BYTES }));
