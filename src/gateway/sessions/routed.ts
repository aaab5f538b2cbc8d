import type { ServerCapabilities } from "@modelcontextprotocol/sdk/types.js";
import type { Backend } from "../../backends/index.ts";
import { AgentSession, type AgentIdentity, type SessionEnvironment } from "./agent-session.ts";
import { registerMethods, type Namespace } from "./methods.ts";

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
  const namespace: Namespace = {
    qualified: false,
    // The session declares logging whatever the backend offers; a level goes on only to a backend that takes one.
    offering: (feature) => (feature !== "logging" || offered.logging ? [backend] : []),
    resolve: (_kind, name) => ({ backend, name }),
  };
  registerMethods(session, capabilities, namespace);
  session.server.fallbackRequestHandler = (request, extra) => session.call(backend.id, request.method, request.params, extra) as never;
  return session;
}
