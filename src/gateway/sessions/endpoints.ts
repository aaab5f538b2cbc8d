import type { Backend } from "../../backends/index.ts";
import type { RuntimeOptions } from "../../config/index.ts";
import type { AgentIdentity, AgentSession, SessionEnvironment } from "./agent-session.ts";
import { routedSession } from "./routed.ts";
import { unifiedSession } from "./unified.ts";

export interface McpEndpoint {
  /** "/mcp" or "/mcp/<serverID>". */
  route: string;
  /** This route's own URL on the gateway, for initializing a session on a client's behalf. */
  url: string;
  /** Builds the SDK server side of a new session for this route. */
  createSession(identity: AgentIdentity): AgentSession;
}

/**
 * The MCP routes of a mode: "/mcp" for unified, "/mcp/<serverID>" per server for routed.
 * `selfUrl()` is the gateway's own base URL, known once it listens.
 */
export function mcpEndpoints(
  mode: RuntimeOptions["mode"],
  backends: ReadonlyMap<string, Backend>,
  env: SessionEnvironment,
  selfUrl: () => string,
): (path: string) => McpEndpoint | undefined {
  const endpoints = new Map<string, McpEndpoint>();
  const add = (path: string, createSession: McpEndpoint["createSession"]) =>
    endpoints.set(path, {
      route: path,
      get url() {
        return `${selfUrl()}${path}`;
      },
      createSession,
    });
  if (mode === "unified") {
    add("/mcp", (identity) => unifiedSession(backends, identity, env));
    return (path) => (path === "/mcp" || path.startsWith("/mcp/") ? endpoints.get("/mcp") : undefined);
  }
  for (const backend of backends.values()) add(`/mcp/${backend.id}`, (identity) => routedSession(backend, identity, env));
  return (path) => {
    const match = /^\/mcp\/([^/]+)(?:\/.*)?$/.exec(path);
    return match ? endpoints.get(`/mcp/${match[1]}`) : undefined;
  };
}
