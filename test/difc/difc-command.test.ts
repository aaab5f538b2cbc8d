import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";

async function evaluateCli(stdin: string) {
  const io = { stdout: "", stderr: "" };
  const code = await main(["node", "flowgate", "difc", "evaluate"], {
    out: (t) => void (io.stdout += t),
    err: (t) => void (io.stderr += t),
    stdin: Readable.from([Buffer.from(stdin)]),
  });
  return { code, ...io };
}

const request = (overrides: Record<string, unknown>) =>
  JSON.stringify({
    agent: { secrecy: [], integrity: [] },
    resource: { secrecy: [], integrity: [] },
    operation: "read",
    mode: "strict",
    ...overrides,
  });

describe("flowgate difc evaluate", () => {
  it("prints an allowed decision and exits 0", async () => {
    const result = await evaluateCli(request({ agent: { secrecy: ["s"], integrity: [] }, resource: { secrecy: ["s"], integrity: [] } }));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ decision: "allow", reason: "", secrecy_to_add: [], integrity_to_drop: [] });
  });

  it("prints a denial with its reason and tags and exits 3", async () => {
    const result = await evaluateCli(
      request({ resource: { description: "repo", secrecy: ["private:o/r"], integrity: [] }, operation: "read", mode: "filter" }),
    );
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toEqual({
      decision: "deny",
      reason: "Resource 'repo' has secrecy requirements that agent doesn't meet. The agent is not authorized to access private (o/r)-scoped data.",
      secrecy_to_add: ["private:o/r"],
      integrity_to_drop: [],
    });
  });

  it("reports propagation in propagate mode and exits 0", async () => {
    const result = await evaluateCli(request({ agent: { secrecy: [], integrity: ["t"] }, resource: { secrecy: ["x"], integrity: [] }, mode: "propagate" }));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ decision: "allow-with-propagate", secrecy_to_add: ["x"], integrity_to_drop: ["t"] });
  });

  it("defaults the mode to strict", async () => {
    const result = await evaluateCli(JSON.stringify({ agent: {}, resource: { integrity: ["i"] }, operation: "write" }));
    expect([result.code, JSON.parse(result.stdout).integrity_to_drop]).toEqual([3, ["i"]]);
  });

  it.each([
    ["{", "stdin is not valid JSON"],
    ["[]", "the request must be a JSON object with agent, resource, operation and mode"],
    [request({ agent: "x" }), "agent must be an object with secrecy and integrity arrays"],
    [request({ resource: null }), "resource must be an object with secrecy and integrity arrays"],
    [request({ agent: { secrecy: [1] } }), "agent.secrecy must be an array of strings"],
    [request({ resource: { integrity: "i" } }), "resource.integrity must be an array of strings"],
    [request({ resource: { description: 5 } }), "resource.description must be a string"],
    [request({ operation: "delete" }), 'operation must be one of: read, write, read-write; got "delete"'],
    [request({ operation: undefined }), "operation must be one of: read, write, read-write; got null"],
    [request({ mode: "lenient" }), 'mode must be one of: strict, filter, propagate; got "lenient"'],
  ])("rejects bad input %j naming the field, exit 1", async (stdin, error) => {
    const result = await evaluateCli(stdin);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`flowgate difc evaluate: ${error}`);
  });
});
