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
  type Notification,
  type ServerCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import { toolAllowed } from "../backends/allow-list.ts";
import type { Backend } from "../backends/backend.ts";
import { errorText } from "../backends/errors.ts";
import { EnforcementError } from "../enforce/errors.ts";
import { collectPages } from "../backends/paginate.ts";
import { AgentSession, type Extra, type SessionEnvironment } from "./agent-session.ts";
import type { AgentIdentity } from "./auth.ts";
import { qualify, unqualify } from "./names.ts";
import { toolNotAllowed, unknownServer, unknownTool } from "./rpc-error.ts";

type Feature = "tools" | "resources" | "prompts" | "completions" | "logging";
type Item = Record<string, unknown>;

/**
 * Unified mode (/mcp): every backend behind one endpoint. Tools and prompts are named
 * "<serverID>___<name>", resource URIs and templates "<serverID>___<uri>", and descriptions start
 * with "[<serverID>] "; requests are routed back by cutting the prefix off.
 */
export function unifiedSession(backends: ReadonlyMap<string, Backend>, identity: AgentIdentity, env: SessionEnvironment): AgentSession {
  const all = [...backends.values()];
  const offering = (feature: Feature) => all.filter((backend) => backend.capabilities?.[feature] !== undefined);
  // A backend whose discovery failed may still come up later; its tools are tried on every listing.
  const toolBackends = all.filter((backend) => backend.capabilities === undefined || backend.capabilities.tools !== undefined);
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
  const server = session.server;

  /** Every page of `method` from each backend, items renamed into the shared namespace. */
  const aggregate = async (
    method: string,
    key: string,
    backendsToAsk: Backend[],
    rename: (id: string, item: Item) => Item,
    extra: Extra,
    fetchPage: (id: string, params: Record<string, unknown> | undefined) => Promise<Record<string, unknown>> = (id, params) =>
      session.call(id, method, params, extra),
  ) => {
    const lists = await Promise.all(
      backendsToAsk.map(async (backend) => {
        try {
          const items = await collectPages(async (cursor) => {
            const page = await fetchPage(backend.id, cursor === undefined ? undefined : { cursor });
            return { items: (page[key] as Item[] | undefined) ?? [], nextCursor: page.nextCursor as string | undefined };
          });
          return items.map((item) => rename(backend.id, item));
        } catch (error) {
          env.logger.log("warn", "client", `${method} from ${backend.id} failed, listing the others: ${errorText(error)}`);
          return [];
        }
      }),
    );
    return { [key]: lists.flat() } as never;
  };
  const route = (kind: string, qualified: string) => {
    const parts = unqualify(qualified);
    if (!parts || !backends.has(parts.serverId)) throw unknownServer(kind, qualified);
    return parts;
  };

  server.setRequestHandler(ListToolsRequestSchema, (_request, extra) =>
    aggregate(
      "tools/list",
      "tools",
      toolBackends,
      (id, tool) => ({ ...tool, name: qualify(id, String(tool.name)), description: described(id, tool) }),
      extra,
      (id, params) => session.listTools(id, params, extra),
    ),
  );
  session.onToolCall(async (request, extra) => {
    const parts = unqualify(request.params.name);
    const backend = parts && backends.get(parts.serverId);
    if (!parts || !backend) throw unknownTool(request.params.name);
    if (!toolAllowed(backend.config, parts.name)) throw toolNotAllowed(parts.name);
    const result = await session.callTool(backend.id, { ...request.params, name: parts.name }, extra);
    return { ...result, ...(Array.isArray(result.content) ? { content: result.content.map((item: Item) => qualifyContent(backend.id, item)) } : {}) } as never;
  });
  server.setRequestHandler(SetLevelRequestSchema, async (request, extra) => {
    const outcomes = await Promise.allSettled(offering("logging").map((backend) => session.call(backend.id, "logging/setLevel", request.params, extra)));
    // A backend that fails to take the level is no reason to fail the others; a refusal by the policy is the agent's to see.
    const refusal = outcomes.find((outcome) => outcome.status === "rejected" && outcome.reason instanceof EnforcementError);
    if (refusal?.status === "rejected") throw refusal.reason;
    return {};
  });

  if (capabilities.resources) {
    const withUri = (id: string, item: Item) => ({ ...item, uri: qualify(id, String(item.uri)), ...describedField(id, item) });
    server.setRequestHandler(ListResourcesRequestSchema, (_request, extra) => aggregate("resources/list", "resources", offering("resources"), withUri, extra));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, (_request, extra) =>
      aggregate(
        "resources/templates/list",
        "resourceTemplates",
        offering("resources"),
        (id, item) => ({ ...item, uriTemplate: qualify(id, String(item.uriTemplate)), ...describedField(id, item) }),
        extra,
      ),
    );
    server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
      const { serverId, name: uri } = route("resource", request.params.uri);
      const result = await session.call(serverId, "resources/read", { ...request.params, uri }, extra);
      const contents = (result.contents as Item[] | undefined) ?? [];
      return { ...result, contents: contents.map((item) => ({ ...item, uri: qualify(serverId, String(item.uri)) })) } as never;
    });
    const subscription = (method: string) => async (request: { params: { uri: string } }, extra: Extra) => {
      const { serverId, name: uri } = route("resource", request.params.uri);
      return (await session.call(serverId, method, { ...request.params, uri }, extra)) as never;
    };
    if (subscribable) {
      server.setRequestHandler(SubscribeRequestSchema, subscription("resources/subscribe"));
      server.setRequestHandler(UnsubscribeRequestSchema, subscription("resources/unsubscribe"));
    }
  }
  if (capabilities.prompts) {
    server.setRequestHandler(ListPromptsRequestSchema, (_request, extra) =>
      aggregate("prompts/list", "prompts", offering("prompts"), (id, prompt) => ({ ...prompt, name: qualify(id, String(prompt.name)), ...describedField(id, prompt) }), extra),
    );
    server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
      const { serverId, name } = route("prompt", request.params.name);
      const result = await session.call(serverId, "prompts/get", { ...request.params, name }, extra);
      const messages = (result.messages as Item[] | undefined) ?? [];
      return { ...result, messages: messages.map((message) => ({ ...message, content: qualifyContent(serverId, message.content as Item) })) } as never;
    });
  }
  if (capabilities.completions) {
    server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
      const ref = request.params.ref;
      const { serverId, name } = ref.type === "ref/prompt" ? route("prompt", ref.name) : route("resource", ref.uri);
      const backendRef = ref.type === "ref/prompt" ? { ...ref, name } : { ...ref, uri: name };
      return (await session.call(serverId, "completion/complete", { ...request.params, ref: backendRef }, extra)) as never;
    });
  }
  return session;
}

function described(id: string, item: Item): string {
  return `[${id}] ${typeof item.description === "string" ? item.description : ""}`;
}

function describedField(id: string, item: Item): Item {
  return typeof item.description === "string" ? { description: described(id, item) } : {};
}

/** Resource links and embedded resources name backend URIs; the agent reads them through the gateway, qualified. */
function qualifyContent(serverId: string, item: Item): Item {
  if (item?.type === "resource_link" && typeof item.uri === "string") return { ...item, uri: qualify(serverId, item.uri) };
  const resource = item?.resource as Item | undefined;
  if (item?.type === "resource" && typeof resource?.uri === "string") return { ...item, resource: { ...resource, uri: qualify(serverId, resource.uri) } };
  return item;
}

/** A backend's resource notifications name its own URIs; the agent knows them qualified. */
function qualifyNotification(serverId: string, notification: Notification): Notification {
  if (notification.method !== "notifications/resources/updated" || typeof notification.params?.uri !== "string") return notification;
  return { ...notification, params: { ...notification.params, uri: qualify(serverId, notification.params.uri) } };
}
