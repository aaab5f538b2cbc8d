// Plugs the enforcement pipeline into the forward seam: the methods that carry data a guard
// can label go through it; everything else goes straight to the backend.
import type { Result } from "@modelcontextprotocol/sdk/types.js";
import { sortedTags } from "../difc/index.ts";
import type { EnforcementPipeline } from "../enforce/pipeline.ts";
import type { ForwardMiddleware, ForwardRequest } from "./forward.ts";

/** Methods the pipeline labels, and the name the guard sees for each (tools/call: the tool's own). */
const LABELLED_METHODS = new Set(["tools/call", "resources/read", "resources/list", "prompts/get"]);

function guardView(request: ForwardRequest): { toolName: string; args: unknown } | null {
  if (!LABELLED_METHODS.has(request.method)) return null;
  if (request.method !== "tools/call") return { toolName: request.method, args: request.params ?? {} };
  const name = request.params?.["name"];
  return { toolName: typeof name === "string" ? name : "", args: request.params?.["arguments"] ?? {} };
}

/**
 * `sinkServerIds` (--guards-sink-server-ids): for these servers the agent's labels at the time of
 * the call ride along to rpc-messages.jsonl, as the reference records them.
 */
export function enforcementMiddleware(pipeline: EnforcementPipeline, sinkServerIds: readonly string[] = []): ForwardMiddleware {
  const sinks = new Set(sinkServerIds);
  return (next) => async (request) => {
    const view = guardView(request);
    if (!view) return next({ ...request, rpcLog: await pipeline.unlabelledRpcLog(request.agentId, false) });
    const result = await pipeline.run(
      {
        serverId: request.serverId,
        agentId: request.agentId,
        toolName: view.toolName,
        args: view.args,
        signal: request.signal,
        callBackend: async (toolName, args, signal) =>
          request.backend.request("tools/call", { name: toolName, arguments: args ?? {} }, { signal, rpcLog: await pipeline.unlabelledRpcLog(request.agentId, true) }),
      },
      (agent, rpcLog) =>
        next({
          ...request,
          rpcLog,
          ...(sinks.has(request.serverId) ? { agentLabels: { secrecy: sortedTags(agent.secrecy), integrity: sortedTags(agent.integrity) } } : {}),
        }),
      request.method,
    );
    return result as Result;
  };
}
