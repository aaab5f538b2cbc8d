import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { GatewayConfig, GuardPolicyConfig } from "../../src/config/types.ts";
import { guardPolicyToJson } from "../../src/difc/index.ts";
import { githubApiUrl, workflowRepoVisibility } from "../../src/enforce/github-visibility.ts";
import { createServerGuards } from "../../src/enforce/server-guards.ts";
import { gatewayConfig, runtimeOptions } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

// A fake GitHub API: /repos/<owner>/<repo> answers as the `repos` table says; anything else is a 500.
const repos: Record<string, { status: number; body: unknown }> = {
  "octo/public-repo": { status: 200, body: { visibility: "public", private: false } },
  "octo/private-repo": { status: 200, body: { visibility: "private", private: true } },
  "octo/old-ghes-public": { status: 200, body: { private: false } },
  "octo/missing": { status: 404, body: { message: "Not Found" } },
};
const requests: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
let api: Server;
let apiUrl: string;

beforeAll(async () => {
  api = createServer((request, response) => {
    requests.push({ url: request.url ?? "", headers: request.headers });
    const answer = repos[(request.url ?? "").replace(/^\/repos\//, "")] ?? { status: 500, body: { message: "boom" } };
    response.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));
beforeEach(() => {
  requests.length = 0;
});

function env(repository: string, extra: Record<string, string> = {}): Record<string, string> {
  return { GITHUB_REPOSITORY: repository, GITHUB_TOKEN: "ghs_test", GITHUB_API_URL: apiUrl, ...extra };
}

/** A noop server without a policy, one reading o/r under allow-only, a private write-sink and an unset one. */
function config(gateway: Partial<GatewayConfig["gateway"]> = {}): GatewayConfig {
  return gatewayConfig(
    [
      stdioServer("plain", EVERYTHING_SCRIPT),
      stdioServer("reader", EVERYTHING_SCRIPT, { guardPolicies: { "allow-only": { repos: ["o/r"], "min-integrity": "approved" } } }),
      stdioServer("sink", EVERYTHING_SCRIPT, { guardPolicies: { "write-sink": { accept: ["private:o/r"], "sink-visibility": "private" } } }),
      stdioServer("safe-outputs", EVERYTHING_SCRIPT, { guardPolicies: { "write-sink": { accept: ["*"] } } }),
    ],
    { forcePublicRepos: true, ...gateway },
  );
}

async function register(
  environment: Record<string, string>,
  options: { gateway?: Partial<GatewayConfig["gateway"]>; globalPolicy?: GuardPolicyConfig } = {},
): Promise<{ policies: Record<string, unknown>; logger: RecordingLogger }> {
  const logger = new RecordingLogger();
  const runtime = runtimeOptions(options.globalPolicy ? { guardPolicyOverride: options.globalPolicy } : {});
  const guards = await createServerGuards(config(options.gateway), runtime, { logger, env: environment });
  await Promise.all([...guards.values()].map(({ guard }) => guard.close()));
  const policies = Object.fromEntries([...guards].map(([id, { policy }]) => [id, policy ? guardPolicyToJson(policy) : null]));
  return { policies, logger };
}

const FORCED = "FORCED REPOS=PUBLIC: workflow repo octo/public-repo is public";
const FAIL_OPEN = "(fail-open, not forcing repos=public)";
const UNCHANGED = {
  plain: null,
  reader: { "allow-only": { repos: ["o/r"], "min-integrity": "approved" } },
  sink: { "write-sink": { accept: ["private:o/r"], "sink-visibility": "private" } },
  "safe-outputs": { "write-sink": { accept: ["*"] } },
};

describe("force-public-repos", () => {
  it("narrows every allow-only policy to public repos when the workflow repository is public, leaving write-sinks alone", async () => {
    const { policies, logger } = await register(env("octo/public-repo"));
    expect(policies).toEqual({
      plain: { "allow-only": { repos: "public", "min-integrity": "none" } },
      reader: { "allow-only": { repos: "public", "min-integrity": "approved" } },
      sink: UNCHANGED.sink,
      "safe-outputs": UNCHANGED["safe-outputs"],
    });
    expect(logger.lines.filter((line) => line.message.startsWith(FORCED)).map((line) => [line.serverId, line.level])).toEqual([
      ["plain", "warn"],
      ["reader", "warn"],
    ]);
  });

  it("narrows the global policy, with the global-policy warning on each server", async () => {
    const { policies, logger } = await register(env("octo/public-repo"), {
      globalPolicy: { "allow-only": { repos: "all", "min-integrity": "merged" } },
    });
    const narrowed = { "allow-only": { repos: "public", "min-integrity": "merged" } };
    // a server's own write-sink policy still wins over the global one (difc.md §7.1)
    expect(policies).toEqual({ plain: narrowed, reader: narrowed, sink: UNCHANGED.sink, "safe-outputs": UNCHANGED["safe-outputs"] });
    expect(logger.matching(`${FORCED} — overriding allow-only scope to 'public' to prevent private data reads (source: global policy)`)).toHaveLength(4);
  });

  // Environments are built inside the tests: the fake API's URL is known only once it listens.
  it.each([
    ["a private repository", () => env("octo/private-repo"), {}, []],
    ["the API failing", () => env("octo/missing"), {}, [`shouldForcePublicRepos: failed to determine visibility for octo/missing ${FAIL_OPEN}`]],
    [
      "the API unreachable",
      () => env("octo/public-repo", { GITHUB_API_URL: "http://127.0.0.1:1" }),
      {},
      [`shouldForcePublicRepos: failed to determine visibility for octo/public-repo ${FAIL_OPEN}`],
    ],
    ["MCP_GATEWAY_FORCE_PUBLIC_REPOS=off", () => env("octo/public-repo", { MCP_GATEWAY_FORCE_PUBLIC_REPOS: "off" }), {}, []],
    ["config forcePublicRepos: false", () => env("octo/public-repo"), { forcePublicRepos: false }, []],
    ["no token", () => ({ GITHUB_REPOSITORY: "octo/public-repo", GITHUB_API_URL: apiUrl, GITHUB_TOKEN: "  " }), {}, []],
    ["no GITHUB_REPOSITORY", () => ({ GITHUB_TOKEN: "ghs_test", GITHUB_API_URL: apiUrl }), {}, []],
  ])("keeps the configured policies with %s", async (_case, environment, gateway, warnings) => {
    const { policies, logger } = await register(environment(), { gateway });
    expect(policies).toEqual(UNCHANGED);
    expect(logger.matching("FORCED REPOS=PUBLIC")).toEqual([]);
    expect(logger.lines.filter((line) => line.level === "warn" && line.serverId === undefined).map((line) => line.message)).toEqual(warnings);
  });
});

describe("sink visibility runtime check", () => {
  const sinkLine = (logger: RecordingLogger, serverId: string) => logger.matching("Registered guard 'write-sink'", serverId);

  it.each([
    [
      "public",
      () => env("octo/public-repo"),
      "public",
      "public",
      'SINK VISIBILITY OVERRIDE: configured="private" but runtime check shows repo octo/public-repo is "public"',
    ],
    ["public (private flag only)", () => env("octo/old-ghes-public"), "public", "public", "SINK VISIBILITY OVERRIDE"],
    ["private", () => env("octo/private-repo"), "private", "as accepted", undefined],
    [
      "unknown (API error)",
      () => env("octo/missing"),
      "private",
      "as accepted",
      'Sink visibility runtime verification failed (using configured value "private"): API error or unavailable',
    ],
  ])("raises sinks to public only when the API says the workflow repository is public: %s", async (_case, environment, sink, safeOutputs, warning) => {
    const { logger } = await register(environment(), { gateway: { forcePublicRepos: false } });
    expect(requests).toHaveLength(1);
    expect(sinkLine(logger, "sink")).toEqual([`Registered guard 'write-sink' (sink visibility: ${sink})`]);
    expect(sinkLine(logger, "safe-outputs")).toEqual([`Registered guard 'write-sink' (sink visibility: ${safeOutputs})`]);
    const warnings = logger.lines.filter((line) => line.level === "warn" && line.serverId === "sink").map((line) => line.message);
    if (warning === undefined) expect(warnings).toEqual([]);
    else expect(warnings).toEqual([expect.stringContaining(warning)]);
  });
});

describe("the repository visibility request", () => {
  it("is sent once per process, with the reference's headers and the first non-blank token", async () => {
    await register(env("octo/public-repo", { GITHUB_MCP_SERVER_TOKEN: " ", GITHUB_TOKEN: " ghs_second ", GH_TOKEN: "ghs_last" }));
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe("/repos/octo/public-repo");
    expect(requests[0]?.headers).toMatchObject({ authorization: "token ghs_second", accept: "application/vnd.github+json", "user-agent": "awmg/1.0" });
  });

  it.each([
    ["not owner/repo", "octo"],
    ["too many parts", "octo/a/b"],
  ])("fails open without a request when GITHUB_REPOSITORY is %s", async (_case, repository) => {
    const failures: string[] = [];
    const visibility = workflowRepoVisibility({ env: env(repository), onFailure: (reason) => failures.push(reason) });
    expect(await visibility.isPublic()).toBeUndefined();
    expect(failures).toEqual([expect.stringContaining("is not owner/repo")]);
    expect(requests).toEqual([]);
  });

  it.each([
    [{ GITHUB_API_URL: "https://ghe.example/api/v3//" }, "https://ghe.example/api/v3"],
    [{ GITHUB_API_URL: "https://x.test", GITHUB_SERVER_URL: "https://github.com" }, "https://x.test"],
    [{ GITHUB_SERVER_URL: "https://github.com" }, "https://api.github.com"],
    [{ GITHUB_SERVER_URL: "https://www.github.com/" }, "https://api.github.com"],
    [{ GITHUB_SERVER_URL: "https://acme.ghe.com" }, "https://api.acme.ghe.com"],
    [{ GITHUB_SERVER_URL: "https://api.acme.ghe.com" }, "https://api.acme.ghe.com"],
    [{ GITHUB_SERVER_URL: "https://git.corp.example:8443" }, "https://git.corp.example:8443/api/v3"],
    [{}, "https://api.github.com"],
  ])("derives the API base from %j as %s", (environment, expected) => {
    expect(githubApiUrl(environment)).toBe(expected);
  });
});
