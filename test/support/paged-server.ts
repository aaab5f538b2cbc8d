// A small MCP server over stdio that lists its prompts one page at a time, for the gateway's
// handling of list cursors: no server on npm pages its lists. Cursors are opaque tokens it made
// up; a cursor it never handed out is refused. Run with Node 24: `node test/support/paged-server.ts`.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { ErrorCode, ListPromptsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";

const PAGED_PROMPTS = ["first", "second", "third"];

const server = new Server({ name: "paged", version: "1.0.0" }, { capabilities: { prompts: {} } });
const cursors = PAGED_PROMPTS.map(() => `page-${Math.random().toString(36).slice(2)}`);

server.setRequestHandler(ListPromptsRequestSchema, (request) => {
  const cursor = request.params?.cursor;
  const page = cursor === undefined ? 0 : cursors.indexOf(cursor) + 1;
  if (page === 0 && cursor !== undefined) throw new McpError(ErrorCode.InvalidParams, `unknown cursor "${cursor}"`);
  const next = page + 1 < PAGED_PROMPTS.length ? { nextCursor: cursors[page] } : {};
  return { prompts: [{ name: PAGED_PROMPTS[page]! }], ...next };
});

await server.connect(new StdioServerTransport());
