import { describe, expect, it } from "vitest";
import { builtGuardPath } from "../support/guards.ts";
import { GuardHarness } from "../support/guard-harness.ts";

const guard = await GuardHarness.load(builtGuardPath("passthrough"));

describe("pass-through guard", () => {
  it("gives every agent empty labels in strict mode, whatever the policy", () => {
    expect(guard.callJson("label_agent", { "allow-only": { repos: "all", "min-integrity": "merged" } })).toEqual({
      agent: { secrecy: [], integrity: [] },
      difc_mode: "strict",
    });
  });

  it.each([
    ["echo", { message: "hi" }],
    ["get-resource-reference", { resourceId: 3 }],
    ["anything", null],
  ])("labels %s as a write any agent may make: secrecy * and no integrity", (tool, args) => {
    expect(guard.callJson("label_resource", { capabilities: {}, tool_args: args, tool_name: tool })).toEqual({
      resource: { description: "passthrough", secrecy: ["*"], integrity: [] },
      operation: "write",
    });
  });

  it("leaves responses unlabelled (0 bytes)", () => {
    const input = { capabilities: {}, tool_args: {}, tool_name: "echo", tool_result: { content: [] } };
    expect(guard.call("label_response", input)).toMatchObject({ code: 0, output: "" });
  });

  it("asks for a bigger buffer with −2 and the size when the output buffer is too small", async () => {
    const small = await GuardHarness.load(builtGuardPath("passthrough"), { outputSize: 16 });
    const result = small.call("label_resource", { tool_name: "echo" });
    expect(result.attempts).toEqual([16, result.code]);
    expect(JSON.parse(result.output)).toMatchObject({ operation: "write" });
  });

  it("rewinds its heap after each call, so memory stops growing after the first", async () => {
    const fresh = await GuardHarness.load(builtGuardPath("passthrough"));
    expect(fresh.memoryBytes()).toBe(65536);
    fresh.call("label_resource", { tool_name: "echo" });
    const afterFirst = fresh.memoryBytes();
    for (let i = 0; i < 50; i++) fresh.call("label_resource", { tool_name: "echo", tool_args: { i } });
    expect(fresh.memoryBytes()).toBe(afterFirst);
    expect(afterFirst).toBeLessThan(5 * 1024 * 1024);
  });
});
