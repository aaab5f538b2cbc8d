import { describe, expect, it } from "vitest";
import { acceptForRepos, evaluate, label, parseAllowOnly, type Operation, type ResourceLabels, type SinkVisibility } from "../../src/difc/index.ts";
import { NoopGuard, WriteSinkGuard, type Guard } from "../../src/guard/index.ts";
import { agent, sorted } from "./helpers.ts";

// The built-in guards live in the guard host; these vectors check the decisions their labels lead to.
async function labelled(guard: Guard, toolName: string): Promise<{ resource: ResourceLabels; operation: Operation }> {
  const { description, secrecy, integrity, operation } = await guard.labelResource(toolName, {});
  return { resource: { description, secrecy: label(secrecy), integrity: label(integrity) }, operation };
}

function writeSinkLabelResource(policy: { accept: string[] }, toolName: string, visibility: SinkVisibility | undefined) {
  return labelled(new WriteSinkGuard({ accept: policy.accept, ...(visibility ? { visibility } : {}) }), toolName);
}

const ghAwIntegrity = ["none:github/gh-aw*", "unapproved:github/gh-aw*", "approved:github/gh-aw*"];

type Row = { n: number; accept: string[]; visibility?: SinkVisibility; s: string[]; i?: string[]; allowed: boolean; reason?: string };

// difc.md §8.6: the write-sink guard labels every call as a write; mode filter.
const rows: Row[] = [
  { n: 67, accept: ["private:github/gh-aw*"], s: ["private:github/gh-aw*"], i: ghAwIntegrity, allowed: true },
  { n: 69, accept: ["private:github/gh-aw*"], s: ["private:github/gh-aw*", "private:github/secret-repo"], allowed: false },
  { n: 70, accept: ["private:myorg"], s: ["private:myorg"], allowed: true },
  { n: 71, accept: ["private:myorg/*"], s: ["private:myorg"], allowed: false },
  { n: 72, accept: ["private:github/repo1"], s: ["private:github/repo1", "private:github/repo2"], allowed: false },
  { n: 73, accept: ["private:github/gh-aw*", "private:github/copilot*", "private:extra"], s: ["private:github/gh-aw*"], allowed: true },
  { n: 74, accept: ["*"], s: ["private:github/secret-repo", "private:other-org/internal"], i: ["approved:github/secret-repo"], allowed: true },
  { n: 75, accept: ["*"], visibility: "public", s: ["private:github/secret-repo"], allowed: false, reason: "secrecy" },
  { n: 76, accept: ["*"], visibility: "public", s: [], allowed: true },
  { n: 77, accept: ["private:github/gh-aw*"], visibility: "private", s: ["private:github/gh-aw*"], allowed: true },
  { n: 77, accept: ["private:github/gh-aw*"], visibility: "internal", s: ["private:github/gh-aw*"], allowed: true },
  { n: 78, accept: ["private:github/gh-aw*"], visibility: "private", s: ["private:github/gh-aw*", "private:other-org/secret"], allowed: false },
];

describe("write-sink guard (difc.md §8.6)", () => {
  it.each(rows)("vector $n: accept $accept, visibility $visibility → allowed=$allowed", async (row) => {
    const { resource, operation } = await writeSinkLabelResource({ accept: row.accept }, "create_issue", row.visibility);
    expect(operation).toBe("write");
    const result = evaluate(agent(row.s, row.i ?? []), resource, operation, "filter");
    expect(result.decision).toBe(row.allowed ? "allow" : "deny");
    if (row.reason) expect(result.reason).toContain(row.reason);
    if (row.visibility === "public") expect(sorted(resource.secrecy)).toEqual([]);
  });

  it("vector 68: the noop guard (read-write, empty labels) denies an agent holding integrity, naming integrity", async () => {
    const { resource, operation } = await labelled(new NoopGuard(), "create_issue");
    const result = evaluate(agent(["private:github/gh-aw*"], ghAwIntegrity), resource, operation, "filter");
    expect(operation).toBe("read-write");
    expect(result.decision).toBe("deny");
    expect(result.reason).toContain("integrity");
  });

  it("vector 79: an unvalidated empty accept list gives a write to a resource with empty secrecy", async () => {
    const { resource, operation } = await writeSinkLabelResource({ accept: [] }, "create_issue", undefined);
    expect([operation, sorted(resource.secrecy)]).toEqual(["write", []]);
  });

  it("labels the resource with the tool name and the sink's visibility", async () => {
    expect((await writeSinkLabelResource({ accept: ["*"] }, "t", "public")).resource.description).toBe("write-sink:public (t)");
    expect((await writeSinkLabelResource({ accept: ["*"] }, "t", undefined)).resource.description).toBe("write-sink (t)");
  });
});

describe("allow-only repos → write-sink accept (difc.md §7.4)", () => {
  it.each([
    { repos: "all" as const, accept: ["*"] },
    { repos: "public" as const, accept: ["*"] },
    { repos: ["o/r"], accept: ["private:o/r"] },
    { repos: ["o/*"], accept: ["private:o"] },
    { repos: ["o/p*"], accept: ["private:o/p*"] },
    { repos: ["o/r1", "o/r2"], accept: ["private:o/r1", "private:o/r2"] },
    { repos: ["o1/*", "o2/r"], accept: ["private:o1", "private:o2/r"] },
  ])("repos $repos → accept $accept, which takes the agent's secrecy", async ({ repos, accept }) => {
    expect(acceptForRepos(parseAllowOnly({ repos, "min-integrity": "none" }).repos)).toEqual(accept);
    const agentSecrecy = typeof repos === "string" ? [] : accept;
    const { resource } = await writeSinkLabelResource({ accept }, "t", undefined);
    expect(evaluate(agent(agentSecrecy), resource, "write", "filter").decision).toBe("allow");
  });
});

describe("built-in guards' label_agent results (difc.md §2.3)", () => {
  it("noop gives no labels and strict mode; write-sink gives no labels and filter mode", async () => {
    expect(await new NoopGuard().labelAgent()).toEqual({ secrecy: [], integrity: [], difcMode: "strict" });
    expect(await new WriteSinkGuard({ accept: ["*"] }).labelAgent()).toEqual({ secrecy: [], integrity: [], difcMode: "filter" });
  });
});
