import { describe, expect, it } from "vitest";
import { builtGuardPath } from "../support/guards.ts";
import { GuardHarness } from "../support/guard-harness.ts";
import { APPROVED, PAYROLL, POLICY, withConfig } from "./policy.ts";

function withMinIntegrity(minIntegrity: unknown, config: Record<string, unknown> = {}): unknown {
  return { ...withConfig(config), "allow-only": { repos: "all", "min-integrity": minIntegrity } };
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
    ["none", {}, ["none:demo"], "filter"],
    ["MERGED", { "fs-mode": "propagate" }, [...APPROVED, "merged:demo"], "propagate"],
    ["approved", { "fs-mode": "strict" }, APPROVED, "strict"],
  ])("reads min-integrity %s from allow-only and fs-mode from guard-config %j", async (level, config, integrity, mode) => {
    expect(await labelAgent(withMinIntegrity(level, config))).toMatchObject({ agent: { integrity }, difc_mode: mode });
  });

  it.each([
    ["no guard-config", { "allow-only": { repos: "all", "min-integrity": "unapproved" } }],
    ["an empty guard-config", { "allow-only": { repos: "all", "min-integrity": "unapproved" }, "guard-config": {} }],
    ["trusted-bots beside them", { "allow-only": { repos: "all", "min-integrity": "unapproved" }, "trusted-bots": ["ci-bot"] }],
  ])("defaults to scope fs, no private folders, no clearance and filter mode with %s", async (_case, payload) => {
    expect(await labelAgent(payload)).toMatchObject({
      agent: { secrecy: [], integrity: ["none:fs", "unapproved:fs"] },
      difc_mode: "filter",
    });
  });

  it("ignores the GitHub guard's allow-only keys, which the gateway has checked already", async () => {
    const payload = { ...POLICY, "allow-only": { ...POLICY["allow-only"], "blocked-users": ["spammer"] } };
    expect(await labelAgent(payload)).toMatchObject({ agent: { secrecy: [PAYROLL], integrity: APPROVED } });
  });

  it.each([
    ["not an object", [1, 2], "label_agent input is not a JSON object"],
    ["no allow-only", { "write-sink": {} }, 'the policy needs an "allow-only" object'],
    ["bad min-integrity", withMinIntegrity("high"), "allow-only.min-integrity must be one of"],
    ["missing min-integrity", { ...POLICY, "allow-only": { repos: "all" } }, "allow-only.min-integrity must be one of"],
    [
      "an fs- setting inside allow-only",
      { ...POLICY, "allow-only": { ...POLICY["allow-only"], "fs-private": ["private"] } },
      "allow-only.fs-private is a filesystem guard setting: move it to the guard's config",
    ],
    ["guard-config not an object", { ...POLICY, "guard-config": ["fs-private"] }, "guard-config must be an object"],
    ["misspelled fs key", withConfig({ "fs-privat": ["x"] }), "guard-config.fs-privat is not a filesystem guard setting"],
    ["key without the fs- prefix", withConfig({ scope: "docs" }), "guard-config.scope is not a filesystem guard setting"],
    ["relative fs-root", withConfig({ "fs-root": "srv" }), "guard-config.fs-root must be the absolute path"],
    ["absolute private folder", withConfig({ "fs-private": ["/etc"] }), 'guard-config.fs-private entry "/etc" is invalid'],
    ["climbing private folder", withConfig({ "fs-private": ["a/../.."] }), 'guard-config.fs-private entry "a/../.." is invalid'],
    ["private not an array", withConfig({ "fs-private": "private" }), "guard-config.fs-private must be an array"],
    ["clearance not private", withConfig({ "fs-clearance": ["inbox"] }), 'guard-config.fs-clearance entry "inbox" is not listed'],
    ["bad trust level", withConfig({ "fs-trust": { inbox: "low" } }), 'guard-config.fs-trust["inbox"] must be one of'],
    ["trust not an object", withConfig({ "fs-trust": ["inbox"] }), "guard-config.fs-trust must be an object"],
    ["bad default trust", withConfig({ "fs-default-trust": 3 }), "guard-config.fs-default-trust must be one of"],
    ["bad mode", withConfig({ "fs-mode": "lenient" }), "guard-config.fs-mode must be one of strict, filter, propagate"],
    ["bad scope", withConfig({ "fs-scope": "my docs" }), "guard-config.fs-scope must be a non-empty name"],
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
