// The proxy's REST side over plain HTTP, driven with curl as a script would: reads are labelled
// by the guard and filtered, writes pass through unmodified, and the guard's enrichment calls
// reach the API with the proxy's fallback token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROXY_TOKEN, runCommand, startGithubProxy, type GithubProxy } from "../support/github-proxy.ts";
import { secrecyMarker } from "../../src/log/index.ts";
import { MAX_REQUEST_BYTES } from "../../src/proxy/index.ts";
import { builtGuardPath } from "../support/guards.ts";

const CURL = "/usr/bin/curl";

async function curl(base: string, path: string, extra: string[] = []): Promise<{ status: number; body: string }> {
  const run = await runCommand(CURL, ["-sS", "-w", "\n%{http_code}", "-H", "Authorization: token client-token", ...extra, `${base}${path}`]);
  expect(run.code, run.stderr).toBe(0);
  const cut = run.stdout.lastIndexOf("\n");
  return { status: Number(run.stdout.slice(cut + 1)), body: run.stdout.slice(0, cut) };
}

describe("proxy REST reads through curl, policy: public repositories, approved authors", () => {
  let env: GithubProxy;
  beforeAll(async () => {
    env = await startGithubProxy({ "allow-only": { repos: "public", "min-integrity": "approved" } }, { guardsMode: "filter" });
  });
  afterAll(() => env.close());

  it.each([
    ["an issue list keeps the owner's issue and drops the stranger's", "/repos/octo/pub/issues", ["Owner issue in public repo"], ["Stranger issue"]],
    [
      "the /api/v3 prefix and a query string are accepted",
      "/api/v3/repos/octo/pub/issues?state=open&per_page=5",
      ["Owner issue in public repo"],
      ["Stranger issue"],
    ],
    ["empty path segments do not get around the route table", "/repos//octo//pub/issues", ["Owner issue in public repo"], ["Stranger issue"]],
    ["issue comments are labelled one by one", "/repos/octo/pub/issues/1/comments", ["Member comment public"], ["Stranger comment public"]],
    [
      "a search envelope keeps its shape with the count of visible items",
      "/search/issues?q=is:issue",
      ['"total_count":1', "Owner issue in public repo"],
      ["Stranger issue", "private repo"],
    ],
    ["a file of the public repository is returned as it is", "/repos/octo/pub/contents/README.md", ['"name":"README.md"'], []],
    ["a listing without item labels passes the coarse check for a public repository", "/repos/octo/pub/branches", ["pub-main-sha"], []],
    ["a plain-text answer of a public repository passes the coarse check", "/repos/octo/pub/actions/runs/1/logs", ["log of pub"], []],
  ])("%s", async (_name, path, present, absent) => {
    const { status, body } = await curl(env.proxy.url, path);
    expect(status).toBe(200);
    for (const text of present) expect(body).toContain(text);
    for (const text of absent) expect(body).not.toContain(text);
  });

  it.each([
    ["a private repository's issue list", "/repos/octo/priv/issues", "[]"],
    ["a private repository's file", "/repos/octo/priv/contents/README.md", "difc_forbidden"],
    ["an issue by a stranger", "/repos/octo/pub/issues/2", "difc_forbidden"],
    ["a private listing without item labels, which fails the coarse check,", "/repos/octo/priv/branches", "[]"],
    ["a private plain-text answer, which fails the coarse check and has no items,", "/repos/octo/priv/actions/runs/1/logs", "difc_forbidden"],
  ])("%s is withheld", async (_name, path, expected) => {
    const { status, body } = await curl(env.proxy.url, path);
    expect(body).toContain(expected);
    expect(body).not.toContain("Stranger body");
    expect(body).not.toContain("README of the private");
    expect(body).not.toContain("priv-main-sha");
    expect(body).not.toContain("secret build output");
    expect(status === 200 || status === 403).toBe(true);
  });

  it("keeps the query string and the /api/v3-less path when forwarding a read", async () => {
    await curl(env.proxy.url, "/api/v3/repos/octo/pub/issues?state=closed&labels=bug");
    expect(env.github.requests.map((request) => request.url)).toContain("/repos/octo/pub/issues?state=closed&labels=bug");
  });

  it("passes a write through unmodified with the client's Authorization", async () => {
    const payload = JSON.stringify({ title: "From curl", body: "untouched" });
    const { status, body } = await curl(env.proxy.url, "/repos/octo/pub/issues", ["-X", "POST", "-H", "Content-Type: application/json", "--data", payload]);
    expect(status).toBe(201);
    expect(body).toContain('"number":3');
    const write = env.github.requests.find((request) => request.method === "POST");
    expect(write).toMatchObject({ url: "/repos/octo/pub/issues", authorization: "token client-token", body: payload });
  });

  it("answers the guard's repository lookups from the API with the fallback token", async () => {
    await curl(env.proxy.url, "/repos/octo/pub/issues");
    const lookups = env.github.requests.filter((request) => request.url.startsWith("/search/repositories?"));
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.every((request) => request.authorization === `token ${PROXY_TOKEN}`)).toBe(true);
  });

  it("logs each filtered item as a difc_filtered record", async () => {
    const before = env.logger.filtered.length;
    await curl(env.proxy.url, "/repos/octo/pub/issues");
    expect(env.logger.filtered.slice(before)).toEqual([
      expect.objectContaining({ serverId: "github", toolName: "list_issues", description: "issue:octo/pub#2" }),
    ]);
  });

  it("reports the proxy agent's labels and the mode at /reflect and /api/v3/reflect", async () => {
    for (const path of ["/reflect", "/api/v3/reflect"]) {
      const { status, body } = await curl(env.proxy.url, path);
      expect(status).toBe(200);
      expect(JSON.parse(body)).toMatchObject({ agents: { proxy: { secrecy: [], integrity: ["approved"] } }, mode: "filter" });
    }
  });

  it("answers /health without going upstream", async () => {
    const before = env.github.requests.length;
    const { status, body } = await curl(env.proxy.url, "/health");
    expect([status, JSON.parse(body)]).toEqual([200, { status: "ok" }]);
    expect(env.github.requests.length).toBe(before);
  });
});

describe("proxy without a policy", () => {
  let env: GithubProxy;
  beforeAll(async () => {
    env = await startGithubProxy(null);
  });
  afterAll(() => env.close());

  it("refuses every labelled read with 503 and never forwards it", async () => {
    const { status, body } = await curl(env.proxy.url, "/repos/octo/pub/issues");
    expect(status).toBe(503);
    expect(JSON.parse(body)).toEqual({ error: "service_unavailable", message: "proxy enforcement not configured" });
    expect(env.github.requests.filter((request) => request.url.startsWith("/repos/"))).toEqual([]);
  });
});

describe("proxy HTTP behaviour", () => {
  let env: GithubProxy;
  beforeAll(async () => {
    env = await startGithubProxy({ "allow-only": { repos: "all", "min-integrity": "none" } });
  });
  afterAll(() => env.close());

  it.each([
    [
      "an unknown GraphQL operation is refused",
      "/api/graphql",
      { method: "POST", body: JSON.stringify({ query: "{ rateLimit { remaining } }" }) },
      403,
      { data: null, errors: [{ message: "access denied: unrecognized GraphQL operation" }] },
    ],
    [
      "a GraphQL body that is not JSON is refused",
      "/graphql",
      { method: "POST", body: "query {" },
      400,
      { data: null, errors: [{ message: expect.stringContaining("request body is not JSON") }] },
    ],
    ["a read outside /repos that no route knows passes through", "/users/someone", {}, 200, { login: "someone" }],
  ])("%s", async (_name, path, init, status, body) => {
    const response = await fetch(`${env.proxy.url}${path}`, init);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual(body);
  });

  it("refuses a request body over the limit with 413 and forwards nothing", async () => {
    const before = env.github.requests.length;
    const response = await fetch(`${env.proxy.url}/repos/octo/pub/issues`, { method: "POST", body: new Uint8Array(MAX_REQUEST_BYTES + 1) });
    expect([response.status, await response.json()]).toEqual([
      413,
      { error: "payload_too_large", message: `request body larger than ${MAX_REQUEST_BYTES} bytes` },
    ]);
    expect(env.github.requests.length).toBe(before);
  });

  it("logs a read that no route knows as unrecognised, its path as the redaction marker while the agent holds secrecy tags", async () => {
    // github-lite gives repos=all the wildcard secrecy tag: this agent holds one from the start.
    const before = env.logger.unrecognizedEndpoints.length;
    await (await fetch(`${env.proxy.url}/api/v3/users/someone?per_page=1`)).body?.cancel();
    expect(env.logger.unrecognizedEndpoints.slice(before)).toEqual([{ method: "GET", path: secrecyMarker("/users/someone") }]);
  });

  it("passes a rate-limit answer on with Retry-After and only GitHub's own headers, and logs it", async () => {
    const response = await fetch(`${env.proxy.url}/rate_limit`);
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(100);
    expect(retryAfter).toBeLessThanOrEqual(122);
    expect(response.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(response.headers.get("x-internal")).toBeNull();
    expect(env.logger.lines).toContainEqual(expect.objectContaining({ level: "error", category: "client", message: expect.stringContaining("rate limit") }));
  });

  it("answers 502 when the API cannot be reached", async () => {
    const unreachable = await startGithubProxy({ "allow-only": { repos: "all", "min-integrity": "none" } });
    await unreachable.github.close();
    try {
      const response = await fetch(`${unreachable.proxy.url}/zen`);
      expect([response.status, await response.json()]).toEqual([502, { error: "bad_gateway", message: "upstream request failed" }]);
    } finally {
      await unreachable.proxy.close();
    }
  });
});

describe("proxy force-public-repos", () => {
  it.each([
    ["a public workflow repository narrows repos=all to public ones", "octo/pub", true, "[]"],
    ["a private workflow repository keeps repos=all", "octo/priv", false, "Owner issue in private repo"],
  ])("%s", async (_name, workflowRepository, forced, privateIssues) => {
    const env = await startGithubProxy(
      { "allow-only": { repos: "all", "min-integrity": "none" } },
      { forcePublicRepos: true, env: { GITHUB_REPOSITORY: workflowRepository } },
    );
    try {
      const { body } = await curl(env.proxy.url, "/repos/octo/priv/issues");
      expect(body).toContain(privateIssues);
      expect(env.logger.matching(`FORCED REPOS=PUBLIC: workflow repo ${workflowRepository} is public`)).toHaveLength(forced ? 1 : 0);
    } finally {
      await env.close();
    }
  });
});

describe("proxy with another guard built for the reference's ABI", () => {
  it("loads guards/example unchanged and lets through what it leaves unlabelled", async () => {
    const env = await startGithubProxy({ "allow-only": { repos: "public", "min-integrity": "approved" } }, { guardPath: builtGuardPath("example") });
    try {
      const { status, body } = await curl(env.proxy.url, "/repos/octo/priv/issues");
      expect(status).toBe(200);
      expect(body).toContain("Stranger issue in private repo");
    } finally {
      await env.close();
    }
  });
});
