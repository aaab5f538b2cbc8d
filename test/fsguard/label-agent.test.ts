import { describe, expect, it } from "vitest";
import { builtGuardPath } from "../support/guards.ts";
import { GuardHarness } from "../support/guard-harness.ts";
import { APPROVED, PAYROLL, POLICY } from "./policy.ts";

function withKeys(extra: Record<string, unknown>): unknown {
  return { "allow-only": { ...POLICY["allow-only"], ...extra } };
}

async function labelAgent(policy: unknown): Promise<unknown> {
  const guard = await GuardHarness.load(builtGuardPath("filesystem"));
  return guard.callJson("label_agent", policy);
}

describe("filesystem guard label_agent", () => {
  it("gives the agent its clearance as secrecy, its minimum integrity expanded, and the policy's mode", async () => {
    expect(await labelAgent(POLICY)).toEqual({
      agent: { secrecy: [PAYROLL], integrity: APPROVED },
      difc_mode: "filter",
      normalized_policy: {
        scope_kind: "filesystem",
        "fs-scope": "demo",
        "min-integrity": "approved",
        private: ["private:demo/private", PAYROLL],
      },
    });
  });

  it.each([
    [{ "min-integrity": "none" }, ["none:demo"], "filter"],
    [{ "min-integrity": "MERGED", "fs-mode": "propagate" }, [...APPROVED, "merged:demo"], "propagate"],
    [{ "fs-mode": "strict" }, APPROVED, "strict"],
  ])("reads min-integrity and fs-mode from %j", async (extra, integrity, mode) => {
    expect(await labelAgent(withKeys(extra))).toMatchObject({ agent: { integrity }, difc_mode: mode });
  });

  it("defaults to scope fs, no private folders, no clearance and filter mode", async () => {
    expect(await labelAgent({ "allow-only": { repos: "all", "min-integrity": "unapproved" } })).toMatchObject({
      agent: { secrecy: [], integrity: ["none:fs", "unapproved:fs"] },
      difc_mode: "filter",
    });
  });

  it.each([
    ["not an object", [1, 2], "label_agent input is not a JSON object"],
    ["no allow-only", { "write-sink": {} }, 'the policy needs an "allow-only" object'],
    ["bad min-integrity", withKeys({ "min-integrity": "high" }), "allow-only.min-integrity must be one of"],
    ["missing min-integrity", { "allow-only": { repos: "all" } }, "allow-only.min-integrity must be one of"],
    ["misspelled fs key", withKeys({ "fs-privat": ["x"] }), 'allow-only key "fs-privat" is not a filesystem guard key'],
    ["relative fs-root", withKeys({ "fs-root": "srv" }), "allow-only.fs-root must be the absolute path"],
    ["absolute private folder", withKeys({ "fs-private": ["/etc"] }), 'allow-only.fs-private entry "/etc" is invalid'],
    ["climbing private folder", withKeys({ "fs-private": ["a/../.."] }), 'allow-only.fs-private entry "a/../.." is invalid'],
    ["private not an array", withKeys({ "fs-private": "private" }), "allow-only.fs-private must be an array"],
    ["clearance not private", withKeys({ "fs-clearance": ["inbox"] }), 'allow-only.fs-clearance entry "inbox" is not listed'],
    ["bad trust level", withKeys({ "fs-trust": { inbox: "low" } }), 'allow-only.fs-trust["inbox"] must be one of'],
    ["trust not an object", withKeys({ "fs-trust": ["inbox"] }), "allow-only.fs-trust must be an object"],
    ["bad default trust", withKeys({ "fs-default-trust": 3 }), "allow-only.fs-default-trust must be one of"],
    ["bad mode", withKeys({ "fs-mode": "lenient" }), "allow-only.fs-mode must be one of strict, filter, propagate"],
    ["bad scope", withKeys({ "fs-scope": "my docs" }), "allow-only.fs-scope must be a non-empty name"],
  ])("rejects a policy with %s, saying which key is wrong", async (_case, policy, message) => {
    const answer = (await labelAgent(policy)) as { success: boolean; error: string };
    expect(answer.success).toBe(false);
    expect(answer.error).toContain(message);
  });

  it("fails closed (−1) on label_resource and label_response before any policy arrived", async () => {
    const guard = await GuardHarness.load(builtGuardPath("filesystem"));
    const input = { capabilities: {}, tool_args: { path: "/srv/files/a" }, tool_name: "read_text_file" };
    expect(guard.call("label_resource", input).code).toBe(-1);
    expect(guard.call("label_response", { ...input, tool_result: { content: [] } }).code).toBe(-1);
    expect(guard.logs).toContainEqual({ level: 3, message: "label_agent has not configured the filesystem guard yet" });
  });
});
