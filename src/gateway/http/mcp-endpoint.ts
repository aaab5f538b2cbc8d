import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode, isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { GatewayLogger } from "../../log/index.ts";
import { agentIdentity } from "./auth.ts";
import type { McpEndpoint } from "../sessions/index.ts";
import { autoInitialize } from "./auto-init.ts";
import { HttpServerTransport, readBody, refuseBody } from "./server-transport.ts";
import { sendRpcError, sendText } from "./json-response.ts";
import type { SessionRegistry } from "./session-registry.ts";
import { errorText } from "../../shared/index.ts";

/**
 * Streamable HTTP for one route: a POST of `initialize` without Mcp-Session-Id opens a session
 * (its own SDK server and transport); every other request must name a session of this route.
 */
export async function handleMcpRequest(
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: McpEndpoint,
  sessions: SessionRegistry,
  logger: GatewayLogger,
  maxBodyBytes: number,
): Promise<void> {
  const sessionHeader = req.headers["mcp-session-id"];
  const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
  if (sessionId !== undefined) {
    const live = sessions.get(sessionId);
    if (!live || live.route !== endpoint.route) return sendRpcError(res, 404, ErrorCode.ConnectionClosed, "Session not found");
    // Only POSTs hold the idle clock: a standalone GET stream stays open for the whole session.
    const done = req.method === "POST" ? sessions.begin(sessionId) : () => undefined;
    try {
      await live.transport.handleRequest(req, res);
    } finally {
      done();
    }
    if (req.method === "DELETE") await sessions.close(sessionId);
    return;
  }
  if (req.method === "GET") return sendText(res, 400, "Bad Request: GET requires an Mcp-Session-Id header");
  if (req.method === "DELETE") return sendText(res, 400, "Bad Request: DELETE requires an Mcp-Session-Id header");
  if (req.method !== "POST") {
    res.writeHead(405, { Allow: "GET, POST, DELETE" });
    res.end("Method Not Allowed");
    return;
  }
  const read = await readBody(req, maxBodyBytes);
  if (!read.ok) return refuseBody(res, read);
  let body: unknown;
  try {
    body = JSON.parse(read.text);
  } catch (error) {
    return sendRpcError(res, 400, ErrorCode.ParseError, `Parse error: ${errorText(error)}`);
  }
  if (isToolCall(body)) {
    logger.log(
      "warn",
      "client",
      "Gemini-compat: tools/call received before session initialization (known Gemini CLI v0.37.x issue — see gh-aw-firewall#2348), performing auto-init",
    );
    const created = await autoInitialize(endpoint.url, req.headers);
    const live = created === undefined ? undefined : sessions.get(created);
    if (live) {
      const done = sessions.begin(live.id);
      try {
        await live.transport.handleRequest(req, res, body, { sessionImplied: true });
      } finally {
        done();
      }
      return;
    }
  }
  if (!isInitializeRequest(body)) {
    return sendRpcError(res, 400, ErrorCode.InvalidRequest, "Bad Request: Mcp-Session-Id header is required (send initialize first)");
  }
  const identity = agentIdentity(req.headers);
  if (identity === undefined) return sendText(res, 400, "no server available");
  const agent = endpoint.createSession(identity);
  const transport: HttpServerTransport = new HttpServerTransport({
    sessionIdGenerator: randomUUID,
    maxBodyBytes,
    onsessioninitialized: (id) => {
      sessions.add({ id, route: endpoint.route, agent, transport });
      logger.log("info", "client", `New MCP client connection, path=${endpoint.route}, session=${id.slice(0, 8)}`);
    },
  });
  await agent.server.connect(transport);
  if (agent.answersToolCalls) transport.ontoolcall = (call, extra) => agent.answerToolCall(call, extra);
  await transport.handleRequest(req, res, body);
  if (transport.sessionId === undefined) await agent.close();
}

function isToolCall(body: unknown): boolean {
  return typeof body === "object" && body !== null && (body as { method?: unknown }).method === "tools/call";
}
