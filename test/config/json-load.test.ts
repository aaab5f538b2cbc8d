import { describe, expect, it } from "vitest";
import { loadJsonConfig } from "../../src/config/json-loader.ts";
import { AID, base } from "./support.ts";

const load = (document: unknown, env: Record<string, string> = {}) => loadJsonConfig(JSON.stringify(document), env);

describe("JSON config loading", () => {
  it("applies the gateway defaults", () => {
    const config = load(base({ s1: { container: "img" } }));
    expect(config.gateway).toEqual({
      port: 3000,
      domain: "localhost",
      agentId: AID,
      startupTimeout: 30,
      toolTimeout: 60,
      keepaliveInterval: 1500,
      payloadDir: "/tmp/jq-payloads",
      payloadSizeThreshold: 524288,
      forcePublicRepos: true,
    });
    expect(config).toMatchObject({ sequentialLaunch: false, guards: {}, warnings: [] });
  });

  it.each([
    ["unset", undefined, 60, 0],
    ["valid", "120", 120, 0],
    ["below the minimum", "5", 60, 1],
    ["not a number", "soon", 60, 1],
  ])("takes the gateway tool timeout from MCP_GATEWAY_TOOL_TIMEOUT when the config has none (%s)", (_case, value, expected, warnings) => {
    const config = load(base({ s1: { container: "img" } }), value === undefined ? {} : { MCP_GATEWAY_TOOL_TIMEOUT: value });
    expect(config.gateway.toolTimeout).toBe(expected);
    expect(config.warnings).toHaveLength(warnings);
  });

  it("prefers the config's toolTimeout over MCP_GATEWAY_TOOL_TIMEOUT", () => {
    expect(load(base({ s1: { container: "img" } }, { toolTimeout: 30 }), { MCP_GATEWAY_TOOL_TIMEOUT: "120" }).gateway.toolTimeout).toBe(30);
  });

  it("reads apiKey as a deprecated alias of agentId", () => {
    const document = base({ s1: { container: "img" } });
    const gateway = document.gateway as Record<string, unknown>;
    delete gateway.agentId;
    gateway.apiKey = "legacy";
    const config = load(document);
    expect(config.gateway.agentId).toBe("legacy");
    expect(config.warnings).toEqual([expect.stringContaining("apiKey is deprecated")]);
  });

  it("substitutes ${VAR} everywhere, with JSON-escaped values inside strings and raw values outside", () => {
    const text = `{"mcpServers": {"r1": {"type": "http", "url": "http://127.0.0.1:1/mcp", "headers": {"Authorization": "Bearer \${TEST_TOKEN}"}},
      "s1": {"container": "img", "env": {"K": "\${TEST_TOKEN}", "Q": "\${QUOTED}", "E": "\${EMPTY}"}}},
      "gateway": {"port": \${PORT}, "domain": "localhost", "agentId": "\${TEST_AID}"}}`;
    const config = loadJsonConfig(text, { TEST_TOKEN: "abc123", TEST_AID: "aid-xyz", PORT: "3005", QUOTED: 'a"b\\c', EMPTY: "" });
    expect(config.gateway).toMatchObject({ port: 3005, agentId: "aid-xyz" });
    expect(config.servers[0]).toMatchObject({ headers: { Authorization: "Bearer abc123" } });
    expect(config.servers[1]).toMatchObject({ args: expect.arrayContaining(["K=abc123", 'Q=a"b\\c', "E"]) });
  });

  it("does not expand $NAME without braces", () => {
    const config = load(base({ s1: { container: "img", env: { A: "$HOME" } } }), { HOME: "/root" });
    expect(config.servers[0]).toMatchObject({ args: expect.arrayContaining(["A=$HOME"]) });
  });

  it("reads type local as stdio and an image digest as a valid container", () => {
    const image = `ghcr.io/o/i@sha256:${"a".repeat(64)}`;
    const config = load(base({ s1: { type: "local", container: image } }));
    expect(config.servers[0]).toMatchObject({ type: "stdio", container: image, command: "docker", unisolated: false });
  });

  it("accepts command + args as an unisolated local process, dropping pass-through env entries", () => {
    const config = load(base({ mem: { command: "node", args: ["server.js"], env: { KEEP: "", SET: "1" }, tools: ["*"] } }));
    expect(config.servers[0]).toEqual({
      id: "mem",
      type: "stdio",
      command: "node",
      args: ["server.js"],
      env: { SET: "1" },
      unisolated: true,
      tools: ["*"],
      rateLimitThreshold: 3,
      rateLimitCooldown: 60,
    });
  });

  it("reads an http server with headers and the snake_case timeout aliases", () => {
    const config = load(
      base({
        r1: { type: "http", url: "https://example.com/mcp", headers: { "X-Test": "1" }, connect_timeout: 5, tool_timeout: 0, registry: "https://r.example" },
      }),
    );
    expect(config.servers[0]).toEqual({
      id: "r1",
      type: "http",
      url: "https://example.com/mcp",
      headers: { "X-Test": "1" },
      connectTimeout: 5,
      registry: "https://r.example",
      rateLimitThreshold: 3,
      rateLimitCooldown: 60,
    });
  });

  it("keeps github-oidc auth when Actions provides a token endpoint", () => {
    const config = load(base({ r1: { type: "http", url: "https://example.com/mcp", auth: { type: "github-oidc" } } }), {
      ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.example",
    });
    expect(config.servers[0]).toMatchObject({ auth: { type: "github-oidc" } });
  });

  it.each([
    [{ allowonly: { repos: "all" } }, { "allow-only": { repos: "all" } }],
    [{ writesink: { accept: ["*"] } }, { "write-sink": { accept: ["*"] } }],
    [{ repos: ["o/*"], "min-integrity": "merged" }, { "allow-only": { repos: ["o/*"], "min-integrity": "merged" } }],
  ])("normalises guard policy %j", (policy, normalised) => {
    expect(load(base({ s1: { container: "img", "guard-policies": policy } })).servers[0]?.guardPolicies).toEqual(normalised);
  });

  it("keeps guards, tool filters and server order, and warns about unknown exempt servers", () => {
    const config = load(
      base(
        { b: { container: "img", guard: "g", tool_response_filters: { search: ".items" } }, a: { container: "img" } },
        { sinkVisibilityExemptServers: ["a", "ghost", "*"], keepaliveInterval: 0 },
        { guards: { g: { type: "noop", config: { x: 1 }, policy: { "write-sink": { accept: ["*"] } } } } },
      ),
    );
    expect(config.servers.map((server) => server.id)).toEqual(["b", "a"]);
    expect(config.servers[0]).toMatchObject({ guard: "g", toolResponseFilters: { search: ".items" } });
    expect(config.guards).toEqual({ g: { type: "noop", config: { x: 1 }, policy: { "write-sink": { accept: ["*"] } } } });
    expect(config.gateway.keepaliveInterval).toBe(1500);
    expect(config.warnings).toEqual([expect.stringContaining('unknown server ID "ghost"')]);
  });
});
