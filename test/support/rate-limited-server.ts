// A small MCP server over stdio standing in for an upstream API that rate-limits: its tool
// "search" answers every call with the error a GitHub-backed server gives when the API refuses,
// and "echo" always succeeds. Run with Node 24: `node test/support/rate-limited-server.ts`.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const server = new McpServer({ name: "rate-limited", version: "1.0.0" });
let searches = 0;

server.registerTool("search", { description: "Always rate-limited by its upstream API" }, () => {
  searches += 1;
  return { isError: true, content: [{ type: "text", text: `API rate limit exceeded (call ${searches})` }] };
});
server.registerTool("echo", { description: "Always succeeds" }, () => ({ content: [{ type: "text", text: `searches so far: ${searches}` }] }));

await server.connect(new StdioServerTransport());
