import { describe, expect, it } from "vitest";
import {
  effectiveSinkVisibility,
  forcePublicGlobalPolicy,
  forcePublicServerPolicy,
  guardPolicyToJson,
  parseGuardPolicy,
  parseServerGuardPolicy,
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
