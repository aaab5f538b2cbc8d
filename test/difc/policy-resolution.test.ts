import { describe, expect, it } from "vitest";
import {
  allowOnlyFromScopeFlags,
  effectiveSinkVisibility,
  forcePublicGlobalPolicy,
  forcePublicServerPolicy,
  guardPolicyToJson,
  parseGuardPolicy,
  parseGuardPolicyJson,
  parseServerGuardPolicy,
  parseTrustedBots,
  parseTrustedBotsFlag,
  resolveGuardPolicy,
} from "../../src/difc/index.ts";

const allowAll = parseGuardPolicy({ "allow-only": { repos: "all", "min-integrity": "none" } });
const sink = parseGuardPolicy({ "write-sink": { accept: ["*"] } });
const scoped = parseGuardPolicy({ "allow-only": { repos: ["o/r"], "min-integrity": "approved" } });

describe("server guard-policies forms (difc.md §7.1)", () => {
  it.each([
    ["a policy object", { "allow-only": { repos: "all", "min-integrity": "none" } }],
    ["the legacy flat form", { repos: "all", "min-integrity": "none" }],
    ["a map keyed by server id", { github: { "allow-only": { repos: "all", "min-integrity": "none" } }, other: 1 }],
    ["a single key holding a policy", { anything: { repos: "all", integrity: "none" } }],
  ])("reads %s", (_name, raw) => {
    expect(parseServerGuardPolicy(raw, "github")).toEqual(allowAll);
  });

  it.each([
    [{ repos: "all" }, "invalid server guard policy: repos specified without min-integrity"],
    [{ "allow-only": { repos: 1, "min-integrity": "none" } }, "invalid server guard policy: allow-only.repos must be"],
  ])("prefixes errors: %j", (raw, error) => {
    expect(() => parseServerGuardPolicy(raw, "github")).toThrow(error);
  });

  it.each([[{ a: 1, b: 2 }], [null], [{}]])("finds no policy in %j", (raw) => {
    expect(parseServerGuardPolicy(raw, "github")).toBeNull();
  });
});

describe("policy precedence (difc.md §7.1)", () => {
  it.each([
    ["the global override first", { global: scoped, server: allowAll, guard: sink }, scoped],
    ["then the server's own", { global: null, server: allowAll, guard: scoped }, allowAll],
    ["then the guard's", { guard: scoped }, scoped],
    ["none at all", {}, null],
    ["a server's write-sink over a global allow-only (diverges)", { global: scoped, server: sink }, sink],
    ["a global write-sink over the server's", { global: sink, server: scoped }, sink],
  ])("takes %s", (_name, sources, expected) => {
    expect(resolveGuardPolicy(sources)).toEqual(expected);
  });
});

describe("force-public-repos (difc.md §7.6)", () => {
  it("sets repos public on the global override, creates public/none, and leaves write-sink alone", () => {
    expect(guardPolicyToJson(forcePublicGlobalPolicy(scoped))).toEqual({ "allow-only": { repos: "public", "min-integrity": "approved" } });
    expect(guardPolicyToJson(forcePublicGlobalPolicy(null))).toEqual({ "allow-only": { repos: "public", "min-integrity": "none" } });
    expect(forcePublicGlobalPolicy(sink)).toBe(sink);
  });

  it.each([
    ["missing", undefined, { "allow-only": { repos: "public", "min-integrity": "none" } }],
    ["invalid", { "allow-only": { repos: 1 } }, { "allow-only": { repos: 1 } }],
    ["holding no policy", { note: "x", n: 1 }, { note: "x", n: 1, "allow-only": { repos: "public", "min-integrity": "none" } }],
    ["write-sink only", { "write-sink": { accept: ["*"] } }, { "write-sink": { accept: ["*"] } }],
    [
      "legacy flat allow-only",
      { repos: ["o/r"], "min-integrity": "merged", "tool-call-limits": { t: 1 } },
      { "allow-only": { repos: "public", "min-integrity": "merged", "tool-call-limits": { t: 1 } } },
    ],
  ])("rewrites a server map that is %s", (_name, raw, expected) => {
    expect(forcePublicServerPolicy(raw, "github")).toEqual(expected);
  });
});

describe("effective sink visibility (difc.md §7.3)", () => {
  const base = { serverId: "out", configured: undefined, exemptServers: [], forcePublicRepos: true, workflowRepoIsPublic: undefined };
  it.each([
    ["configured private", { configured: "private" as const }, "private"],
    ["configured private in a public workflow repo", { configured: "private" as const, workflowRepoIsPublic: true }, "public"],
    ["unset, ordinary server", {}, "public"],
    ["unset, exempt server", { exemptServers: ["out"] }, undefined],
    ["unset, every server exempt", { exemptServers: ["*"] }, undefined],
    ["unset, force-public-repos off", { forcePublicRepos: false }, undefined],
    ["unset, safe-outputs, private workflow repo", { serverId: "safe-outputs" }, undefined],
    ["unset, safeoutputs, public workflow repo", { serverId: "safeoutputs", workflowRepoIsPublic: true }, "public"],
  ])("%s → %s", (_name, input, expected) => {
    expect(effectiveSinkVisibility({ ...base, ...input })).toBe(expected);
  });
});

describe("global override builders (difc.md §7.1)", () => {
  it.each([
    [{ public: true, minIntegrity: "Approved" }, { "allow-only": { repos: "public", "min-integrity": "approved" } }],
    [{ owner: "acme", minIntegrity: "un-approved" }, { "allow-only": { repos: ["acme/*"], "min-integrity": "unapproved" } }],
    [{ owner: "acme", repo: "web", minIntegrity: "MERGED" }, { "allow-only": { repos: ["acme/web"], "min-integrity": "merged" } }],
  ])("builds %j", (flags, expected) => {
    const policy = allowOnlyFromScopeFlags(flags);
    expect(policy && guardPolicyToJson(policy)).toEqual(expected);
  });

  it("builds nothing when no flag is set", () => {
    expect(allowOnlyFromScopeFlags({ public: false, owner: " " })).toBeNull();
  });

  it.each([
    [{ repo: "web", minIntegrity: "none" }, "allow-only scope repo requires allow-only scope owner"],
    [{ public: true, owner: "acme", minIntegrity: "none" }, "allow-only scope public cannot be combined with allow-only scope owner"],
    [{ minIntegrity: "none" }, "allow-only scope requires exactly one of public or owner"],
    [{ owner: "acme" }, "allow-only min-integrity is required with an allow-only scope"],
    [{ owner: "acme", minIntegrity: "high" }, "allow-only.min-integrity must be one of"],
    [{ owner: "Acme", minIntegrity: "none" }, 'allow-only.repos scope "Acme/*" is invalid'],
  ])("rejects %j", (flags, error) => {
    expect(() => allowOnlyFromScopeFlags(flags)).toThrow(error);
  });

  it("parses --guard-policy-json, naming what is wrong", () => {
    expect(parseGuardPolicyJson('{"write-sink":{"accept":["*"]}}')).toEqual(sink);
    expect(() => parseGuardPolicyJson("{")).toThrow("guard policy JSON is not valid JSON");
    expect(() => parseGuardPolicyJson("[]")).toThrow("guard policy JSON must be an object");
    expect(() => parseGuardPolicyJson("{}")).toThrow("policy must include allow-only or write-sink");
  });
});

describe("trusted bots (gateway.md §2.2)", () => {
  it("reads a list, trimming names; absent is empty", () => {
    expect(parseTrustedBots([" my-bot[bot] ", "other[bot]"])).toEqual(["my-bot[bot]", "other[bot]"]);
    expect(parseTrustedBots(undefined)).toEqual([]);
    expect(parseTrustedBotsFlag(" a[bot], ,b[bot] ")).toEqual(["a[bot]", "b[bot]"]);
  });

  it.each([
    [[], "trusted_bots must be a non-empty array when present (spec §4.1.3.4)"],
    ["bot", "trusted_bots must be a non-empty array when present (spec §4.1.3.4)"],
    [["ok", "  "], "trusted_bots[1] must be a non-empty string"],
  ])("rejects %j", (value, error) => {
    expect(() => parseTrustedBots(value)).toThrow(error);
  });
});
