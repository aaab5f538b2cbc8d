// The real `gh` CLI (Debian's package) against `flowgate proxy --tls` in front of the fake GitHub
// API, as a GitHub Enterprise host on 127.0.0.1: what the policy (public repositories, approved
// authors) allows comes back, the rest is filtered, and a write passes through.
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GH_BIN, GH_INSTALLED, ghEnv, runCommand, startGithubProxy, type GithubProxy } from "../support/github-proxy.ts";

const suiteName = GH_INSTALLED
  ? "gh CLI through flowgate proxy --tls"
  : `gh CLI through flowgate proxy --tls (skipped: ${GH_BIN} is not installed; apt-get install gh)`;

describe.skipIf(!GH_INSTALLED)(suiteName, () => {
  let env: GithubProxy;
  let gh: (...args: string[]) => ReturnType<typeof runCommand>;
  beforeAll(async () => {
    const tlsDir = join(mkdtempSync(join(tmpdir(), "flowgate-proxy-tls-")), "proxy-tls");
    env = await startGithubProxy({ "allow-only": { repos: "public", "min-integrity": "approved" } }, { tlsDir });
    const variables = ghEnv(env.proxy);
    gh = (...args) => runCommand(GH_BIN, args, variables);
  });
  afterAll(() => env.close());

  it("writes the CA, the server certificate and a private key only its owner can read", () => {
    const tls = env.proxy.tls!;
    expect(statSync(tls.keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(tls.caCertPath).mode & 0o777).toBe(0o644);
    expect(env.proxy.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each([
    [
      "gh issue list on the public repository shows the owner's issue only",
      ["issue", "list", "-R", "octo/pub"],
      ["Owner issue in public repo"],
      ["Stranger issue"],
    ],
    ["gh issue view of the owner's issue shows it", ["issue", "view", "1", "-R", "octo/pub"], ["Owner issue in public repo", "Owner body public"], []],
    ["gh api on a public file returns it", ["api", "repos/octo/pub/contents/README.md"], ['"name":"README.md"'], []],
    [
      "gh api graphql on the public repository's issues keeps the owner's",
      ["api", "graphql", "-f", 'query={ repository(owner: "octo", name: "pub") { issues(first: 10) { nodes { title } } } }'],
      ["Owner issue in public repo"],
      ["Stranger issue"],
    ],
  ])("%s", async (_name, args, present, absent) => {
    const run = await gh(...args);
    expect(run.code, run.stderr).toBe(0);
    for (const text of present) expect(run.stdout).toContain(text);
    for (const text of absent) expect(run.stdout + run.stderr).not.toContain(text);
  });

  it.each([
    ["gh issue view of a stranger's issue", ["issue", "view", "2", "-R", "octo/pub"], "issue was not found", ["Stranger issue", "Stranger body"]],
    ["gh issue list on the private repository", ["issue", "list", "-R", "octo/priv"], "octo/priv", ["private repo"]],
    ["gh api on a private file", ["api", "repos/octo/priv/contents/README.md"], "difc_forbidden", ["README of the private", '"encoding"']],
    [
      "gh api graphql on the private repository's issues",
      ["api", "graphql", "-f", 'query={ repository(owner: "octo", name: "priv") { issues(first: 10) { nodes { title body } } } }'],
      '{"data":null}',
      ["private repo", "body private"],
    ],
    [
      "gh api graphql with the private repository under an alias beside the public one",
      [
        "api",
        "graphql",
        "-f",
        'query={ repository(owner: "octo", name: "pub") { issues(first: 10) { nodes { title } } } other: repository(owner: "octo", name: "priv") { issues(first: 10) { nodes { title body } } } }',
      ],
      "a GraphQL read may query one repository",
      ["private repo", "body private"],
    ],
  ])("%s shows nothing the policy withholds", async (_name, args, said, absent) => {
    const run = await gh(...args);
    expect(run.stdout + run.stderr).toContain(said);
    for (const text of absent) expect(run.stdout + run.stderr).not.toContain(text);
  });

  it("gh issue create passes through as a write and reaches the API", async () => {
    const run = await gh("issue", "create", "-R", "octo/pub", "--title", "Made by gh", "--body", "through the proxy");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("https://github.example/octo/pub/issues/3");
    expect(env.github.created).toContainEqual(expect.objectContaining({ title: "Made by gh", body: "through the proxy" }));
  });
});
