import {
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type ServerCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import { toolAllowed } from "../backends/allow-list.ts";
import type { Backend } from "../backends/backend.ts";
import { AgentSession, type SessionEnvironment } from "./agent-session.ts";
import type { AgentIdentity } from "./auth.ts";
import { toolNotAllowed } from "./rpc-error.ts";

/**
 * Routed mode (/mcp/{serverID}): the agent sees one backend as it is (its capabilities and
 * instructions), minus the tools its allow-list hides. Every method the backend offers is
 * forwarded, not only tools, and so is a method the gateway does not know (an extension of that
 * server's), through the same enforcement as the others.
 */
export function routedSession(backend: Backend, identity: AgentIdentity, env: SessionEnvironment): AgentSession {
  const offered = backend.capabilities ?? {};
  const capabilities: ServerCapabilities = {
    logging: {},
    tools: { listChanged: true },
    ...(offered.resources ? { resources: offered.resources } : {}),
    ...(offered.prompts ? { prompts: offered.prompts } : {}),
    ...(offered.completions ? { completions: offered.completions } : {}),
  };
  const session = new AgentSession(`awmg-${backend.id}`, capabilities, identity, env, backend.instructions);
  const server = session.server;
  const id = backend.id;
  const pass = (method: string) => (request: { params?: Record<string, unknown> }, extra: Parameters<typeof session.call>[3]) =>
    session.call(id, method, request.params, extra) as never;

  server.setRequestHandler(ListToolsRequestSchema, (request, extra) => session.listTools(id, request.params, extra));
  session.onToolCall(async (request, extra) => {
    if (!toolAllowed(backend.config, request.params.name)) throw toolNotAllowed(request.params.name);
    return session.callTool(id, request.params, extra);
  });
  server.setRequestHandler(SetLevelRequestSchema, async (request, extra) =>
    offered.logging ? (session.call(id, "logging/setLevel", request.params, extra) as never) : {},
  );
  if (offered.resources) {
    server.setRequestHandler(ListResourcesRequestSchema, pass("resources/list"));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, pass("resources/templates/list"));
    server.setRequestHandler(ReadResourceRequestSchema, pass("resources/read"));
    if (offered.resources.subscribe) {
      server.setRequestHandler(SubscribeRequestSchema, pass("resources/subscribe"));
      server.setRequestHandler(UnsubscribeRequestSchema, pass("resources/unsubscribe"));
    }
  }
  if (offered.prompts) {
    server.setRequestHandler(ListPromptsRequestSchema, pass("prompts/list"));
    server.setRequestHandler(GetPromptRequestSchema, pass("prompts/get"));
  }
  if (offered.completions) server.setRequestHandler(CompleteRequestSchema, pass("completion/complete"));
  server.fallbackRequestHandler = (request, extra) => session.call(id, request.method, request.params, extra) as never;
  return session;
}
