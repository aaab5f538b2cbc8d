import { describe, expect, it } from "vitest";
import { loadTomlConfig } from "../../src/config/toml-loader.ts";

describe("TOML config loading", () => {
  it("applies the gateway defaults when [gateway] is absent or zero, and leaves an absent port out", () => {
    const config = loadTomlConfig('[gateway]\nstartup_timeout = 0\ntool_timeout = 0\nagent_id = ""\n[servers.a]\ncommand = "docker"\n', {});
    expect(config.gateway).toEqual({
      startupTimeout: 30,
      toolTimeout: 60,
      keepaliveInterval: 1500,
      payloadDir: "/tmp/jq-payloads",
      payloadSizeThreshold: 524288,
      forcePublicRepos: true,
    });
    expect(config).toMatchObject({ sequentialLaunch: false, guards: {}, warnings: [] });
  });

  it("reads snake_case gateway keys", () => {
    const config = loadTomlConfig(
      [
        'guards_mode = "filter"',
        "sequential_launch = true",
        "[gateway]",
        "port = 4000",
        'agent_id = "secret"',
        "keepalive_interval = -1",
        'payload_dir = "/p"',
        'payload_path_prefix = "/w"',
        "payload_size_threshold = 10",
        'trusted_bots = ["bot[bot]"]',
        "force_public_repos = false",
        "[servers.a]",
        'command = "docker"',
      ].join("\n"),
      {},
    );
    expect(config.gateway).toMatchObject({
      port: 4000,
      agentId: "secret",
      keepaliveInterval: -1,
      payloadDir: "/p",
      payloadPathPrefix: "/w",
      payloadSizeThreshold: 10,
      trustedBots: ["bot[bot]"],
      forcePublicRepos: false,
    });
    expect(config).toMatchObject({ guardsMode: "filter", sequentialLaunch: true });
  });

  it.each([
    ["docker", false],
    ["/usr/bin/docker", false],
    ["node", true],
  ])("marks a %s server isolated=%s", (command, unisolated) => {
    const config = loadTomlConfig(`[servers.a]\ncommand = "${command}"\nargs = ["x"]\nworking_directory = "/w"\n[servers.a.env]\nKEEP = ""\nSET = "1"\n`, {});
    expect(config.servers[0]).toEqual({
      id: "a",
      type: "stdio",
      command,
      args: ["x"],
      env: { SET: "1" },
      unisolated,
      cwd: "/w",
      rateLimitThreshold: 3,
      rateLimitCooldown: 60,
    });
  });

  it("reads an http server with headers, timeouts and circuit-breaker settings", () => {
    const config = loadTomlConfig(
      '[servers.h]\ntype = "http"\nurl = "https://example.com/mcp"\nconnect_timeout = 45\ntool_timeout = 5\nrate_limit_threshold = 2\nrate_limit_cooldown = 9\ntools = ["a"]\n[servers.h.headers]\nX-Key = "k"\n',
      {},
    );
    expect(config.servers[0]).toEqual({
      id: "h",
      type: "http",
      url: "https://example.com/mcp",
      headers: { "X-Key": "k" },
      connectTimeout: 45,
      toolTimeout: 5,
      rateLimitThreshold: 2,
      rateLimitCooldown: 9,
      tools: ["a"],
    });
  });

  it("expands the tracing fields and prefers [gateway.opentelemetry] over [gateway.tracing]", () => {
    const config = loadTomlConfig(
      '[gateway.opentelemetry]\nendpoint = "https://${OTEL_HOST}/otlp"\nheaders = "a=${OTEL_TOKEN}"\n[gateway.tracing]\nendpoint = "http://legacy"\n[servers.a]\ncommand = "docker"\n',
      { OTEL_HOST: "otel.example", OTEL_TOKEN: "t" },
    );
    expect(config.gateway.opentelemetry).toEqual({ endpoint: "https://otel.example/otlp", headers: "a=t", serviceName: "mcp-gateway" });
    expect(config.warnings).toEqual([expect.stringContaining("using [gateway.opentelemetry]")]);
  });

  it("normalises guard policies and keeps guards", () => {
    const config = loadTomlConfig(
      '[guards.gh]\ntype = "wasm"\npath = "/g.wasm"\n[servers.a]\ncommand = "docker"\nguard = "gh"\n[servers.a.guard_policies.allowonly]\nrepos = "public"\nmin-integrity = "none"\n',
      {},
    );
    expect(config.guards).toEqual({ gh: { type: "wasm", path: "/g.wasm" } });
    expect(config.servers[0]).toMatchObject({ guard: "gh", guardPolicies: { "allow-only": { repos: "public", "min-integrity": "none" } } });
  });
});
