// The MCP methods a session serves, as one table that drives both modes. A method either routes
// to one backend (by the name or URI in its params: routed mode has one backend, unified mode
// cuts the "<serverID>___" prefix) or fans out (a list asks every backend offering the feature; in
// routed mode that is one page of one backend, passed through). In unified mode each row's rename
// puts what comes back into the shared namespace; routed mode shows the backend as it is.
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
  type Result,
  type ServerCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import { collectPages, toolAllowed, type Backend } from "../../backends/index.ts";
import { EnforcementError } from "../../enforce/index.ts";
import { errorText } from "../../shared/index.ts";
import type { AgentSession, Extra } from "./agent-session.ts";
import { qualify } from "./names.ts";
import { toolNotAllowed } from "./rpc-error.ts";

type Item = Record<string, unknown>;
type Params = Record<string, unknown>;
export type Feature = "tools" | "resources" | "prompts" | "completions" | "logging";
type NameKind = "tool" | "prompt" | "resource";

/** How a mode maps what the agent names onto its backends. */
export interface Namespace {
  /** Names carry the "<serverID>___" prefix (unified mode), and what comes back is renamed to match. */
  readonly qualified: boolean;
  /** The backends a list or a broadcast asks for `feature`. */
  offering(feature: Feature): Backend[];
  /** The backend a name the agent used points to, and the name that backend knows; throws an RpcError for a name it cannot place. */
  resolve(kind: NameKind, name: string): { backend: Backend; name: string };
}

/** A method that goes to the one backend its params name. */
interface RoutedMethod {
  method: string;
  schema:
    | typeof ReadResourceRequestSchema
    | typeof SubscribeRequestSchema
    | typeof UnsubscribeRequestSchema
    | typeof GetPromptRequestSchema
    | typeof CompleteRequestSchema;
  /** Registered only when the session declares this. */
  offered(capabilities: ServerCapabilities): boolean;
  /** What the params name, and the params with the backend's own name put back. */
  target(params: Params): { kind: NameKind; name: string; rename(name: string): Params };
  /** The backend's result in the agent's namespace. */
  renameResult?(serverId: string, result: Result): Result;
}

/** A list that fans out to every backend offering `feature`, items under `key`. */
interface ListMethod {
  method: string;
  schema: typeof ListToolsRequestSchema | typeof ListResourcesRequestSchema | typeof ListResourceTemplatesRequestSchema | typeof ListPromptsRequestSchema;
  feature: Feature;
  key: string;
  rename(serverId: string, item: Item): Item;
}

const LISTS: readonly ListMethod[] = [
  {
    method: "tools/list",
    schema: ListToolsRequestSchema,
    feature: "tools",
    key: "tools",
    rename: (id, tool) => ({ ...tool, name: qualify(id, String(tool.name)), description: described(id, tool) }),
  },
  {
    method: "resources/list",
    schema: ListResourcesRequestSchema,
    feature: "resources",
    key: "resources",
    rename: (id, item) => ({ ...item, uri: qualify(id, String(item.uri)), ...describedField(id, item) }),
  },
  {
    method: "resources/templates/list",
    schema: ListResourceTemplatesRequestSchema,
    feature: "resources",
    key: "resourceTemplates",
    rename: (id, item) => ({ ...item, uriTemplate: qualify(id, String(item.uriTemplate)), ...describedField(id, item) }),
  },
  {
    method: "prompts/list",
    schema: ListPromptsRequestSchema,
    feature: "prompts",
    key: "prompts",
    rename: (id, prompt) => ({ ...prompt, name: qualify(id, String(prompt.name)), ...describedField(id, prompt) }),
  },
];

const byUri = (params: Params) => ({ kind: "resource" as const, name: String(params.uri), rename: (uri: string) => ({ ...params, uri }) });

const ROUTED: readonly RoutedMethod[] = [
  {
    method: "resources/read",
    schema: ReadResourceRequestSchema,
    offered: (capabilities) => capabilities.resources !== undefined,
    target: byUri,
    renameResult: (id, result) => ({
      ...result,
      contents: ((result.contents as Item[] | undefined) ?? []).map((item) => ({ ...item, uri: qualify(id, String(item.uri)) })),
    }),
  },
  { method: "resources/subscribe", schema: SubscribeRequestSchema, offered: (capabilities) => capabilities.resources?.subscribe === true, target: byUri },
  { method: "resources/unsubscribe", schema: UnsubscribeRequestSchema, offered: (capabilities) => capabilities.resources?.subscribe === true, target: byUri },
  {
    method: "prompts/get",
    schema: GetPromptRequestSchema,
    offered: (capabilities) => capabilities.prompts !== undefined,
    target: (params) => ({ kind: "prompt", name: String(params.name), rename: (name) => ({ ...params, name }) }),
    renameResult: (id, result) => ({
      ...result,
      messages: ((result.messages as Item[] | undefined) ?? []).map((message) => ({ ...message, content: qualifyContent(id, message.content as Item) })),
    }),
  },
  {
    method: "completion/complete",
    schema: CompleteRequestSchema,
    offered: (capabilities) => capabilities.completions !== undefined,
    target: (params) => {
      const ref = params.ref as Item;
      return ref.type === "ref/prompt"
        ? { kind: "prompt", name: String(ref.name), rename: (name) => ({ ...params, ref: { ...ref, name } }) }
        : { kind: "resource", name: String(ref.uri), rename: (uri) => ({ ...params, ref: { ...ref, uri } }) };
    },
  },
];

/** Registers every method of the table that `capabilities` declares, for the mode `namespace` describes. */
export function registerMethods(session: AgentSession, capabilities: ServerCapabilities, namespace: Namespace): void {
  const server = session.server;
  for (const list of LISTS) {
    if (list.feature !== "tools" && capabilities[list.feature] === undefined) continue;
    server.setRequestHandler(list.schema, ((request: { params?: Params }, extra: Extra) =>
      namespace.qualified ? fanOut(session, namespace, list, extra) : onePage(session, namespace, list, request.params, extra)) as never);
  }
  for (const routed of ROUTED) {
    if (!routed.offered(capabilities)) continue;
    server.setRequestHandler(routed.schema, (async (request: { params: Params }, extra: Extra) => {
      const target = routed.target(request.params);
      const { backend, name } = namespace.resolve(target.kind, target.name);
      const result = await session.call(backend.id, routed.method, target.rename(name), extra);
      return namespace.qualified && routed.renameResult ? routed.renameResult(backend.id, result) : result;
    }) as never);
  }
  server.setRequestHandler(SetLevelRequestSchema, (request, extra) => setLevel(session, namespace, request.params, extra) as never);
  session.onToolCall(async (request, extra) => {
    const { backend, name } = namespace.resolve("tool", request.params.name);
    if (!toolAllowed(backend.config, name)) throw toolNotAllowed(name);
    const result = await session.call(backend.id, "tools/call", { ...request.params, name }, extra);
    if (!namespace.qualified || !Array.isArray(result.content)) return result;
    return { ...result, content: result.content.map((item: Item) => qualifyContent(backend.id, item)) };
  });
}

/** Routed mode: one page of the one backend, as it sent it (tools filtered by the allow-list). */
function onePage(session: AgentSession, namespace: Namespace, list: ListMethod, params: Params | undefined, extra: Extra): Promise<Result> {
  const backend = namespace.offering(list.feature)[0];
  if (!backend) return Promise.resolve({ [list.key]: [] });
  return list.method === "tools/list" ? session.listTools(backend.id, params, extra) : session.call(backend.id, list.method, params, extra);
}

/** Unified mode: every page of every backend offering the feature, renamed; a backend that fails is logged and left out. */
async function fanOut(session: AgentSession, namespace: Namespace, list: ListMethod, extra: Extra): Promise<Result> {
  const fetchPage = (id: string, params: Params | undefined) =>
    list.method === "tools/list" ? session.listTools(id, params, extra) : session.call(id, list.method, params, extra);
  const lists = await Promise.all(
    namespace.offering(list.feature).map(async (backend) => {
      try {
        const items = await collectPages(async (cursor) => {
          const page: Item = await fetchPage(backend.id, cursor === undefined ? undefined : { cursor });
          return { items: (page[list.key] as Item[] | undefined) ?? [], nextCursor: page.nextCursor as string | undefined };
        });
        return items.map((item) => list.rename(backend.id, item));
      } catch (error) {
        session.env.logger.log("warn", "client", `${list.method} from ${backend.id} failed, listing the others: ${errorText(error)}`);
        return [];
      }
    }),
  );
  return { [list.key]: lists.flat() };
}

/**
 * logging/setLevel: routed mode forwards it when the backend offers logging; unified mode sends it
 * to every backend that does. A backend that fails to take the level is no reason to fail the
 * others; a refusal by the policy is the agent's to see.
 */
async function setLevel(session: AgentSession, namespace: Namespace, params: Params, extra: Extra): Promise<Result> {
  const backends = namespace.offering("logging");
  if (!namespace.qualified) return backends[0] ? session.call(backends[0].id, "logging/setLevel", params, extra) : {};
  const outcomes = await Promise.allSettled(backends.map((backend) => session.call(backend.id, "logging/setLevel", params, extra)));
  const refusal = outcomes.find((outcome) => outcome.status === "rejected" && outcome.reason instanceof EnforcementError);
  if (refusal?.status === "rejected") throw refusal.reason;
  return {};
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
