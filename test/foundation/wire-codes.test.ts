import { describe, expect, it } from "vitest";
import { AGENT_LIMIT_REACHED, BACKEND_TIMEOUT, BACKEND_UNAVAILABLE } from "../../src/backends/errors.ts";
import { GUARD_FAILED, POLICY_DENIED, STATE_UNAVAILABLE, TOOL_CALL_LIMIT_REACHED } from "../../src/enforce/index.ts";
import { RATE_LIMIT_CIRCUIT_OPEN } from "../../src/gateway/forward/circuit-breaker.ts";

// Other tests compare replies with these constants, so they would pass whatever number a constant
// held. Agents and the MCP Gateway Specification depend on the numbers themselves.
describe("the JSON-RPC error codes on the wire", () => {
  it.each([
    ["backend unavailable (spec Appendix C)", BACKEND_UNAVAILABLE, -32001],
    ["backend timed out (spec Appendix C)", BACKEND_TIMEOUT, -32002],
    ["DIFC policy denied", POLICY_DENIED, -32030],
    ["tool-call limit reached", TOOL_CALL_LIMIT_REACHED, -32031],
    ["guard failed", GUARD_FAILED, -32032],
    ["shared DIFC state unavailable", STATE_UNAVAILABLE, -32033],
    ["rate-limit circuit open", RATE_LIMIT_CIRCUIT_OPEN, -32040],
    ["agent limit per server reached", AGENT_LIMIT_REACHED, -32041],
  ])("keep %s at its number", (_meaning, constant, wire) => {
    expect(constant).toBe(wire);
  });
});
