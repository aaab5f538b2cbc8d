// The HTTP hop alone, as a process of its own: a streamable HTTP endpoint that answers `echo`
// from memory, with no backend and no MCP library. Any gateway pays at least this on top of the
// direct stdio floor (the client's HTTP transport and one HTTP exchange), so the benchmark can
// show how much of a gateway's added latency is its own. Usage: http-floor-server.ts <port>.
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { serveJsonPosts } from "./json-post-server.ts";

const PROTOCOL_VERSION = "2025-11-25";

function reply(res: ServerResponse, id: unknown, result: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { "content-type": "application/json", ...headers }).end(JSON.stringify({ jsonrpc: "2.0", id, result }));
}

serveJsonPosts(Number(process.argv[2]), (body, res) => {
  const message = JSON.parse(body) as { id?: unknown; method: string; params?: { name?: string; arguments?: { message?: string } } };
  if (message.id === undefined) return void res.writeHead(202).end();
  switch (message.method) {
    case "initialize":
      return reply(
        res,
        message.id,
        { protocolVersion: PROTOCOL_VERSION, capabilities: { tools: {} }, serverInfo: { name: "http-floor", version: "1.0.0" } },
        { "mcp-session-id": randomUUID() },
      );
    case "tools/call":
      return reply(res, message.id, { content: [{ type: "text", text: `Echo: ${message.params?.arguments?.message ?? ""}` }] });
    default:
      return void res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: `Method not found: ${message.method}` } }));
  }
});
