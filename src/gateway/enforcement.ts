// Plugs the enforcement pipeline into the forward seam. tools/call and the methods whose answers a
// guard labels run the whole pipeline; every other request that carries the agent's data to a
// backend, and every reply of the agent to a backend's request, gets the DIFC write check, so no
// method is a channel around it; a list request carrying nothing of the agent's goes straight through.
import type { Result } from "@modelcontextprotocol/sdk/types.js";
import { sortedTags, type AgentLabels } from "../difc/index.ts";
import type { EnforcedCall, EnforcementPipeline } from "../enforce/index.ts";
import type { BackendSession } from "../backends/session.ts";
import type { ForwardMiddleware, ForwardRequest, ReplyCheck } from "./forward.ts";

/** Methods whose answers the pipeline labels; the guard sees the method as the tool name (tools/call: the tool's own). */
const LABELLED_METHODS = new Set(["tools/call", "resources/read", "resources/list", "prompts/get"]);
/** Labelled methods whose labels already cover the agent's data: the tool's arguments, the URI read. */
const QUERY_METHODS = new Set(["tools/call", "resources/read"]);
/** List methods: their only data of their own is the cursor, and a cursor the backend handed out is the backend's. */
const LIST_METHODS = new Set(["tools/list", "resources/list", "resources/templates/list", "prompts/list"]);

/**
 * Whether a request sends the backend anything the agent chose. A list request sends nothing of
 * the agent's when its params hold at most a cursor the backend handed out and the gateway's own
 * progress token. Every other request names something: a URI, a prompt and its arguments, a log
 * level, a value to complete, or, for a method the gateway does not know, the method itself.
 */
function carriesAgentData(request: Pick<ForwardRequest, "method" | "params" | "cursorFromBackend">): boolean {
  if (!LIST_METHODS.has(request.method)) return true;
  return Object.entries(request.params ?? {}).some(([key, value]) => {
    if (key === "cursor") return request.cursorFromBackend !== true;
    if (key === "_meta") return Object.keys(value ?? {}).some((metaKey) => metaKey !== "progressToken");
    return true;
  });
}

function enforcedCall(request: ForwardRequest, pipeline: EnforcementPipeline): EnforcedCall {
  const isToolCall = request.method === "tools/call";
  const name = request.params?.["name"];
  return {
    serverId: request.serverId,
    agentId: request.agentId,
    toolName: isToolCall ? (typeof name === "string" ? name : "") : request.method,
    args: isToolCall ? (request.params?.["arguments"] ?? {}) : (request.params ?? {}),
    signal: request.signal,
    callBackend: guardBackendCaller(request.backend, request.agentId, pipeline),
  };
}

/**
 * Answers a guard's call_backend: a tools/call on the same backend, outside the pipeline. Nothing
 * labels its answer, so the log files treat it as secret.
 */
function guardBackendCaller(backend: BackendSession, agentId: string, pipeline: EnforcementPipeline): EnforcedCall["callBackend"] {
  return async (toolName, args, signal) =>
    backend.request("tools/call", { name: toolName, arguments: args ?? {} }, { signal, rpcLog: await pipeline.unlabelledRpcLog(agentId, true) });
}

/**
 * `sinkServerIds` (--guards-sink-server-ids): for these servers the agent's labels at the time of
 * the call ride along to rpc-messages.jsonl, as the reference records them.
 */
export function enforcementMiddleware(pipeline: EnforcementPipeline, sinkServerIds: readonly string[] = []): ForwardMiddleware {
  const sinks = new Set(sinkServerIds);
  return (next) => async (request) => {
    const labelled = (agent: AgentLabels): ForwardRequest =>
      sinks.has(request.serverId) ? { ...request, agentLabels: { secrecy: sortedTags(agent.secrecy), integrity: sortedTags(agent.integrity) } } : request;
    if (LABELLED_METHODS.has(request.method)) {
      const carries = !QUERY_METHODS.has(request.method) && carriesAgentData(request);
      const call = enforcedCall(request, pipeline);
      return (await pipeline.run(call, (agent, rpcLog) => next({ ...labelled(agent), rpcLog }), request.method, { carriesAgentData: carries })) as Result;
    }
    const unlabelledLog = { rpcLog: await pipeline.unlabelledRpcLog(request.agentId, false) };
    if (!carriesAgentData(request)) return next({ ...request, ...unlabelledLog });
    return next({ ...labelled(await pipeline.checkWrite(enforcedCall(request, pipeline))), ...unlabelledLog });
  };
}

/** The agent's replies to a backend's requests are data on their way to that backend: the write check, as for a request. */
export function enforcementReplyCheck(pipeline: EnforcementPipeline): ReplyCheck {
  return async (reply) => {
    await pipeline.checkWrite({
      serverId: reply.serverId,
      agentId: reply.agentId,
      toolName: reply.method,
      args: reply.result,
      signal: reply.signal,
      callBackend: guardBackendCaller(reply.backend, reply.agentId, pipeline),
    });
  };
}
