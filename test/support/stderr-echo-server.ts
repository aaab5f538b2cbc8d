// A small MCP server over stdio whose tool "echo" writes its `message` argument to stderr (as a
// server's debug output may echo what it was sent) and answers "echoed": no server on npm echoes
// a tool's arguments to stderr. Run with Node 24: `node test/support/stderr-echo-server.ts`.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "stderr-echo", version: "1.0.0" });
server.registerTool("echo", { description: "Writes its message to stderr", inputSchema: { message: z.string() } }, ({ message }) => {
  process.stderr.write(`${message}\n`);
  return { content: [{ type: "text", text: "echoed" }] };
});

await server.connect(new StdioServerTransport());
