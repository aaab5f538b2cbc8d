// The forward chain's two observed steps: the whole call as the agent asked it (outermost, so its
// time and outcome include every check) and the backend's part of it (innermost, so its time is
// the backend's alone).
import { POLICY_DENIED, TOOL_CALL_LIMIT_REACHED } from "../../enforce/index.ts";
import { rpcErrorOf, type Observer, type StepName } from "../../shared/index.ts";
import { RATE_LIMIT_CIRCUIT_OPEN } from "./circuit-breaker.ts";
import type { ForwardMiddleware, ForwardRequest } from "./forward.ts";

/** The HTTP status the reference gives a call's outcome (its `mcp.response.status`): refused 403, limited 429, failed 500. */
function statusOf(code: number): number {
  if (code === POLICY_DENIED) return 403;
  if (code === RATE_LIMIT_CIRCUIT_OPEN || code === TOOL_CALL_LIMIT_REACHED) return 429;
  return 500;
}

function callAttributes(request: ForwardRequest): Record<string, string> {
  const name = request.method === "tools/call" ? request.params?.["name"] : undefined;
  return { server: request.serverId, method: request.method, agent: request.agentId, ...(typeof name === "string" ? { tool: name } : {}) };
}

function observedStep(step: StepName, observer: Observer): ForwardMiddleware {
  return (next) => (request) =>
    observer.step(step, callAttributes(request), async (handle) => {
      try {
        const result = await next(request);
        handle.set({ outcome: result["isError"] === true ? "tool_error" : "ok", status: 200 });
        return result;
      } catch (error) {
        const { code } = rpcErrorOf(error);
        handle.set({ outcome: "error", "rpc.error_code": code, status: statusOf(code) });
        throw error;
      }
    });
}

/** The whole forwarded call, every check included: put it first in the chain. */
export function observedCall(observer: Observer): ForwardMiddleware {
  return observedStep("mcp.call", observer);
}

/** The backend's part of a call: put it last in the chain. */
export function observedBackendCall(observer: Observer): ForwardMiddleware {
  return observedStep("backend.call", observer);
}
