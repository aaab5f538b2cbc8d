import { describe, expect, it } from "vitest";
import { defaultEnforcementMode, parseAllowOnly, parseEnforcementMode, parseGuardPolicy, parseSinkServerIds, parseWriteSink } from "../../src/difc/index.ts";

const allowOnly = (fields: Record<string, unknown>) => parseAllowOnly({ repos: "all", "min-integrity": "none", ...fields });

describe("config validation vectors (difc.md §8.9)", () => {
  it.each(["ALL", "  all  "])("vector 100: repos %j with min none is valid, kind all", (repos) => {
    expect(parseAllowOnly({ repos, "min-integrity": "none" })).toMatchObject({ repos: "all", minIntegrity: "none" });
  });

  it.each([
    { n: 101, repos: "private", error: "allow-only.repos string must be 'all' or 'public'" },
    { n: 102, repos: [], error: "allow-only.repos array must contain at least one scope" },
    { n: 103, repos: ["myorg/repo", "myorg/repo"], error: "allow-only.repos must not contain duplicates" },
    { n: 104, repos: ["owner/repo.invalid"], error: 'allow-only.repos scope "owner/repo.invalid" is invalid; expected owner/*, owner/repo, or owner/re*' },
    { n: 106, repos: 42, error: "allow-only.repos must be 'all', 'public', or a non-empty array of repo scope strings" },
  ])("vector $n: repos $repos is rejected", ({ repos, error }) => {
    expect(() => allowOnly({ repos })).toThrow(error);
  });

  it("vector 105: repo scopes are normalised sorted", () => {
    expect(allowOnly({ repos: ["zorg/repo", "aorg/repo", "morg/*"] }).repos).toEqual(["aorg/repo", "morg/*", "zorg/repo"]);
  });

  it("vector 107: an unknown min-integrity level is rejected", () => {
    expect(() => allowOnly({ "min-integrity": "invalid-level" })).toThrow("allow-only.min-integrity must be one of: none, unapproved, approved, merged");
  });

  it("vector 108: blocked-users are deduplicated case-insensitively, keeping the first spelling", () => {
    expect(allowOnly({ "blocked-users": ["evil-bot", "Evil-Bot"] }).blockedUsers).toEqual(["evil-bot"]);
  });

  it("vector 109: reactions are upper-cased and deduplicated", () => {
    expect(allowOnly({ "endorsement-reactions": ["thumbs_up", "THUMBS_UP"] }).endorsementReactions).toEqual(["THUMBS_UP"]);
  });

  it("vector 110: a negative tool-call limit is rejected", () => {
    expect(() => allowOnly({ "tool-call-limits": { issue_read: -1 } })).toThrow('allow-only.tool-call-limits["issue_read"] must be >= 0');
  });

  it.each([
    { n: 111, accept: [], error: "write-sink.accept must contain at least one entry" },
    { n: 112, accept: ["*", "github/repo"], error: 'write-sink.accept wildcard "*" must be the only entry' },
    { n: 113, accept: ["github/repo", "github/repo"], error: "write-sink.accept must not contain duplicates" },
    {
      n: 114,
      accept: ["badvis:github/repo"],
      error: 'write-sink.accept entry "badvis:github/repo" is invalid: visibility prefix must be private, public, or internal; got "badvis"',
    },
    {
      n: 114,
      accept: ["github/repo/extra"],
      error: 'write-sink.accept entry "github/repo/extra" is invalid: scope "github/repo/extra" is invalid; expected owner, owner/*, owner/repo, or owner/re*',
    },
    { n: 115, accept: ["*"], visibility: "unknown", error: 'write-sink.sink-visibility must be one of: public, private, internal; got "unknown"' },
  ])("vector $n: write-sink $accept is rejected", ({ accept, visibility, error }) => {
    expect(() => parseWriteSink({ accept, "sink-visibility": visibility })).toThrow(error);
  });

  it.each([["  *  "], ["github/my-repo"], ["github/*"], ["github/my-*"], ["private:github/my-repo"], ["public:myorg"], ["myorg"]])(
    "vectors 112/114: write-sink accept [%j] is valid",
    (entry) => {
      expect(parseWriteSink({ accept: [entry] }).accept).toEqual([entry.trim()]);
    },
  );

  it.each([
    ["PUBLIC", "public"],
    ["  public  ", "public"],
    ["", undefined],
  ])("vector 115: sink-visibility %j → %j", (value, expected) => {
    expect(parseWriteSink({ accept: ["*"], "sink-visibility": value }).sinkVisibility).toBe(expected);
  });

  it.each([
    [" safeoutputs , github ", ["safeoutputs", "github"]],
    ["safeoutputs,github,safeoutputs", ["safeoutputs", "github"]],
  ])("vector 116: sink server IDs %j → %j", (value, expected) => {
    expect(parseSinkServerIds(value)).toEqual(expected);
  });

  it("vector 116: a sink server ID with inner whitespace is rejected", () => {
    expect(() => parseSinkServerIds("safe outputs")).toThrow('invalid guards sink server ID "safe outputs": whitespace is not allowed');
  });

  it.each([
    ["STRICT", "strict"],
    ["Propagate", "propagate"],
    ["", "strict"],
  ])("vector 117: mode %j → %s", (value, expected) => {
    expect(parseEnforcementMode(value)).toBe(expected);
  });

  it("vector 117: an unknown mode is an error; from the environment it falls back to strict", () => {
    expect(() => parseEnforcementMode("invalid")).toThrow("unknown enforcement mode: invalid (valid modes: strict, filter, propagate)");
    expect(defaultEnforcementMode("FILTER")).toBe("filter");
    expect(defaultEnforcementMode("invalid")).toBe("strict");
    expect(defaultEnforcementMode(undefined)).toBe("strict");
  });
});

describe("allow-only error texts (difc.md §7.2)", () => {
  it.each([
    [{ "min-integrity": "none" }, "allow-only must include repos"],
    [{ repos: ["ok/repo", 7], "min-integrity": "none" }, "allow-only.repos array values must be strings"],
    [{ repos: ["Owner/Repo"], "min-integrity": "none" }, 'allow-only.repos scope "Owner/Repo" is invalid'],
    [{ repos: "all" }, "Configuration error at allow-only.min-integrity: min-integrity is required"],
    [{ repos: "all", "min-integrity": "  " }, "Configuration error at allow-only.min-integrity: min-integrity is required"],
    [{ repos: "all", "min-integrity": "none", "tool-call-limits": { " ": 1 } }, "allow-only.tool-call-limits keys must be non-empty tool names"],
    [{ repos: "all", "min-integrity": "none", "tool-call-limits": { t: 1.5 } }, 'allow-only.tool-call-limits["t"] must be a whole number'],
    [{ repos: "all", "min-integrity": "none", "refusal-labels": " , \n" }, "allow-only.refusal-labels must include at least one label"],
    [{ repos: "all", "min-integrity": "none", "blocked-users": ["ok", " "] }, "allow-only.blocked-users[1] must be a non-empty string"],
    [
      { repos: "all", "min-integrity": "none", "disapproval-integrity": "high" },
      "allow-only.disapproval-integrity must be one of: none, unapproved, approved, merged",
    ],
    [{ repos: "all", "min-integrity": "none", "endorser-min-integrity": "" }, "allow-only.endorser-min-integrity must be one of"],
    [{ repos: "all", "min-integrity": "none", colour: "red" }, 'allow-only contains unsupported field "colour"'],
  ])("rejects %j with %j", (raw, error) => {
    expect(() => parseAllowOnly(raw)).toThrow(error);
  });

  it("accepts every field, normalising as the reference does", () => {
    const policy = parseAllowOnly({
      Repos: ["acme/web", "acme/api-*"],
      integrity: "Approved",
      "tool-call-limits": { " issue_read ": 2, other: 0 },
      "approval-labels": ["ok ", "OK"],
      "trusted-users": ["Alice", "alice"],
      "refusal-labels": "wontfix,\n spam ,WONTFIX",
      "disapproval-reactions": ["thumbs_down"],
      "disapproval-integrity": "none",
      "endorser-min-integrity": "MERGED",
      "promotion-label": " promote ",
      "demotion-label": "demote",
    });
    expect(policy).toEqual({
      repos: ["acme/api-*", "acme/web"],
      minIntegrity: "approved",
      toolCallLimits: new Map([
        ["issue_read", 2],
        ["other", 0],
      ]),
      approvalLabels: ["ok"],
      trustedUsers: ["Alice"],
      refusalLabels: ["wontfix", "spam"],
      disapprovalReactions: ["THUMBS_DOWN"],
      disapprovalIntegrity: "none",
      endorserMinIntegrity: "merged",
      promotionLabel: "promote",
      demotionLabel: "demote",
    });
  });
});

describe("policy object (difc.md §7.2)", () => {
  it.each([
    [{ "allow-only": { repos: "all", "min-integrity": "none" }, extra: 1 }, 'policy contains unsupported field "extra"'],
    [{}, "policy must include allow-only or write-sink"],
    [
      { "allow-only": { repos: "all", "min-integrity": "none" }, "write-sink": { accept: ["*"] } },
      "policy must include either allow-only or write-sink, not both",
    ],
    [{ "write-sink": { accept: ["*"], mode: "x" } }, 'write-sink contains unsupported field "mode"'],
  ])("rejects %j with %j", (raw, error) => {
    expect(() => parseGuardPolicy(raw)).toThrow(error);
  });

  it.each([
    [{ AllowOnly: { repos: "public", "min-integrity": "merged" } }, "allow-only"],
    [{ allowonly: { repos: "public", "min-integrity": "merged" } }, "allow-only"],
    [{ writesink: { accept: ["*"] } }, "write-sink"],
    [{ "Write-Sink": { accept: ["private:o/r"], "sink-visibility": "private" } }, "write-sink"],
  ])("accepts %j as %s, with keys matched case-insensitively", (raw, kind) => {
    expect(parseGuardPolicy(raw).kind).toBe(kind);
  });
});
