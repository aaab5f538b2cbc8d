// A minimal MCP server over stdio, written without the SDK so that it can answer what no SDK
// server would build: its tool "deep" answers with a result holding an array nested `depth`
// levels deep (the text is built, not serialised, so the server itself never recurses), and
// "flat" answers plainly. Run with Node 24: `node test/support/deep-answer-server.ts`.
import { createInterface } from "node:readline";

const tools = [
  { name: "deep", description: "Answers with an array nested `depth` levels deep", inputSchema: { type: "object", properties: { depth: { type: "number" } } } },
  { name: "flat", description: "Answers plainly", inputSchema: { type: "object", properties: {} } },
];

function reply(id: unknown, resultJson: string): void {
  process.stdout.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${resultJson}}\n`);
}

for await (const line of createInterface({ input: process.stdin })) {
  const message = JSON.parse(line) as { id?: unknown; method: string; params?: { name?: string; arguments?: { depth?: number } } };
  if (message.id === undefined) continue;
  if (message.method === "initialize") {
    reply(message.id, JSON.stringify({ protocolVersion: "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "deep-answer", version: "1.0.0" } }));
  } else if (message.method === "tools/list") {
    reply(message.id, JSON.stringify({ tools }));
  } else if (message.method === "tools/call" && message.params?.name === "deep") {
    const depth = message.params.arguments?.depth ?? 10;
    reply(message.id, `{"content":[{"type":"text","text":"deep"}],"_meta":{"nested":${"[".repeat(depth)}${"]".repeat(depth)}}}`);
  } else if (message.method === "tools/call") {
    reply(message.id, JSON.stringify({ content: [{ type: "text", text: "flat answer" }] }));
  } else {
    process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "Method not found" } })}\n`);
  }
}
