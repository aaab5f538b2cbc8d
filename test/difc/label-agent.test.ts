import { describe, expect, it } from "vitest";
import { labelAgentPayload } from "../../src/difc/index.ts";

const base = { repos: "public", "min-integrity": "approved" };

describe("label_agent payload (guard-abi.md §3.2)", () => {
  it("adds the gateway's trusted bots and users without changing the given policy", () => {
    const policy = { "allow-only": { ...base } };
    expect(labelAgentPayload(policy, { trustedBots: ["my-bot[bot]"], trustedUsers: ["alice"] })).toEqual({
      "allow-only": { ...base, "trusted-users": ["alice"] },
      "trusted-bots": ["my-bot[bot]"],
    });
    expect(policy).toEqual({ "allow-only": base });
  });

  it("accepts a JSON string, trims refusal-labels into an array and lower-cases repos", () => {
    const text = JSON.stringify({ "allow-only": { repos: " ALL ", "min-integrity": "Approved", "refusal-labels": "a, b\nc" } });
    expect(labelAgentPayload(`  ${text} `)).toEqual({
      "allow-only": { repos: "all", "min-integrity": "Approved", "refusal-labels": ["a", "b", "c"] },
    });
  });

  it("sends legacy allowonly as allow-only, drops tool-call-limits, passes promotion/demotion labels", () => {
    const policy = { allowonly: { ...base, "tool-call-limits": { x: 1 }, "promotion-label": "p", "demotion-label": "d" } };
    expect(labelAgentPayload(policy)).toEqual({ "allow-only": { ...base, "promotion-label": "p", "demotion-label": "d" } });
  });

  it.each([
    [null, "policy is required"],
    ["   ", "policy string is empty"],
    ["{nope", "policy string is not valid JSON object: "],
    ["[1]", "policy JSON must decode to an object"],
    [42, "failed to decode label_agent policy payload: expected a JSON object"],
    [{ policy: { "allow-only": base } }, "gateway policy adapter is outdated: remove legacy envelope key policy before calling label_agent"],
    [{ "trusted-bots": ["b"] }, "label_agent policy must use top-level allow-only object (received policy.allow-only)"],
    [{ "allow-only": base, extra: 1 }, 'invalid guard policy transport shape: unexpected key "extra"'],
    [{ "allow-only": "all" }, 'invalid guard policy transport shape: expected {"allow-only":{"repos":...,"min-integrity":...}}'],
    [{ "allow-only": { repos: "all" } }, "invalid guard policy transport shape: missing required fields repos and/or min-integrity in allow-only object"],
    [{ "allow-only": { ...base, colour: 1 } }, 'invalid guard policy transport shape: unexpected allow-only key "colour"'],
    [{ "allow-only": { ...base, repos: ["Bad/Repo"] } }, "invalid repos value: expected all, public, or non-empty array of scoped strings"],
    [{ "allow-only": { ...base, repos: [] } }, "invalid repos value: expected all, public, or non-empty array of scoped strings"],
    [{ "allow-only": { ...base, repos: ["a/b", "a/b"] } }, "invalid repos value: expected all, public, or non-empty array of scoped strings"],
    [{ "allow-only": { ...base, "min-integrity": "high" } }, "min-integrity must be one of: none, unapproved, approved, merged"],
    [{ "allow-only": { repos: "all", integrity: 3 } }, "integrity must be one of: none, unapproved, approved, merged"],
    [{ "allow-only": { ...base, "blocked-users": "x" } }, "invalid blocked-users value: expected array of strings"],
    [{ "allow-only": { ...base, "trusted-users": [""] } }, "invalid trusted-users value: each entry must be a non-empty string"],
    [{ "allow-only": base, "trusted-bots": [] }, "invalid trusted-bots value: must be a non-empty array when present"],
    [{ "allow-only": base, "trusted-bots": "b" }, "invalid trusted-bots value: expected non-empty array of strings"],
    [{ "allow-only": { ...base, "refusal-labels": " ,\n" } }, "invalid refusal-labels value: must include at least one non-empty label"],
    [{ "allow-only": { ...base, "refusal-labels": 5 } }, "invalid refusal-labels value: expected array of strings or comma/newline-delimited string"],
    [{ "allow-only": { ...base, "endorser-min-integrity": "" } }, "endorser-min-integrity must be one of"],
    [{ "allow-only": { ...base, "promotion-label": " " } }, "invalid promotion-label value: expected a non-empty string"],
  ])("rejects %j: %s", (policy, error) => {
    expect(() => labelAgentPayload(policy)).toThrow(error);
  });
});

describe("label_agent payload check order (guard-abi.md §3.2 step 12)", () => {
  it.each([
    [{ "allow-only": { ...base, "blocked-users": 1, "refusal-labels": 1 }, "trusted-bots": [] }, "invalid blocked-users value"],
    [{ "allow-only": { ...base, "approval-labels": 1, "trusted-users": 1 }, "trusted-bots": [] }, "invalid approval-labels value"],
    [{ "allow-only": { ...base, "trusted-users": 1 }, "trusted-bots": [] }, "invalid trusted-bots value"],
    [{ "allow-only": { ...base, "endorser-min-integrity": "x", "disapproval-reactions": 1 } }, "invalid disapproval-reactions value"],
  ])("reports the first failing field of %j", (policy, error) => {
    expect(() => labelAgentPayload(policy)).toThrow(error);
  });
});
