import type { Notification, ServerCapabilities } from "@modelcontextprotocol/sdk/types.js";
import type { Backend } from "../../backends/index.ts";
import { AgentSession, type AgentIdentity, type SessionEnvironment } from "./agent-session.ts";
import { registerMethods, type Feature, type Namespace } from "./methods.ts";
import { qualify, unqualify } from "./names.ts";
import { unknownServer, unknownTool } from "./rpc-error.ts";

/**
 * Unified mode (/mcp): every backend behind one endpoint. Tools and prompts are named
 * "<serverID>___<name>", resource URIs and templates "<serverID>___<uri>", and descriptions start
 * with "[<serverID>] "; requests are routed back by cutting the prefix off.
 */
export function unifiedSession(backends: ReadonlyMap<string, Backend>, identity: AgentIdentity, env: SessionEnvironment): AgentSession {
  const all = [...backends.values()];
  const offering = (feature: Feature) =>
    // A backend whose discovery failed may still come up later; its tools are tried on every listing.
    all.filter((backend) => backend.capabilities?.[feature] !== undefined || (feature === "tools" && backend.capabilities === undefined));
  const subscribable = offering("resources").some((backend) => backend.capabilities?.resources?.subscribe);
  const capabilities: ServerCapabilities = {
    logging: {},
    tools: { listChanged: true },
    ...(offering("resources").length > 0 ? { resources: { listChanged: true, ...(subscribable ? { subscribe: true } : {}) } } : {}),
    ...(offering("prompts").length > 0 ? { prompts: { listChanged: true } } : {}),
    ...(offering("completions").length > 0 ? { completions: {} } : {}),
  };
  const session = new AgentSession("awmg-unified", capabilities, identity, env);
  session.rewriteNotification = qualifyNotification;
  const namespace: Namespace = {
    qualified: true,
    offering,
    resolve: (kind, qualified) => {
      const parts = unqualify(qualified);
      const backend = parts && backends.get(parts.serverId);
      if (!parts || !backend) throw kind === "tool" ? unknownTool(qualified) : unknownServer(kind, qualified);
      return { backend, name: parts.name };
    },
  };
  registerMethods(session, capabilities, namespace);
  return session;
}

/** A backend's resource notifications name its own URIs; the agent knows them qualified. */
function qualifyNotification(serverId: string, notification: Notification): Notification {
  if (notification.method !== "notifications/resources/updated" || typeof notification.params?.uri !== "string") return notification;
  return { ...notification, params: { ...notification.params, uri: qualify(serverId, notification.params.uri) } };
}
