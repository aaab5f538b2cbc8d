import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.ts";
import { CliExit } from "../../src/cli/io.ts";
import { registerServeCommand } from "../../src/cli/serve-command.ts";
import { DEFAULT_LIMITS } from "../../src/config/defaults.ts";
import type { GatewayConfig, RuntimeOptions } from "../../src/config/types.ts";

const dir = mkdtempSync(join(tmpdir(), "flowgate-serve-"));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const TOML = file(
  "gateway.toml",
  '[gateway]\npayload_dir = "/from/config"\npayload_size_threshold = 1000\n[servers.mem]\ncommand = "node"\nargs = ["server.js"]\n',
);
const JSON_CONFIG = JSON.stringify({ mcpServers: { s1: { container: "img" } }, gateway: { port: 3000, domain: "localhost", agentId: "${AGENT}" } });

interface Run {
  code: number;
  stderr: string;
  served?: { config: GatewayConfig; runtime: RuntimeOptions };
}

/** Runs `flowgate <args>` with a recording serve function, the given stdin and environment. */
async function run(args: string[], options: { stdin?: string; env?: Record<string, string>; serveCode?: number } = {}): Promise<Run> {
  let stderr = "";
  const io = { out: () => undefined, err: (text: string) => void (stderr += text) };
  const result: Run = { code: 0, stderr: "" };
  const program = buildProgram(io, (root) =>
    registerServeCommand(
      root,
      io,
      async (config, runtime) => {
        result.served = { config, runtime };
        return options.serveCode ?? 0;
      },
      { readStdin: async () => options.stdin ?? "", env: { ...options.env } },
    ),
  );
  try {
    await program.parseAsync(["node", "flowgate", ...args]);
  } catch (error) {
    if (error instanceof CliExit || error instanceof CommanderError) result.code = error instanceof CliExit ? error.code : error.exitCode;
    else throw error;
  }
  result.stderr = stderr;
  return result;
}

describe("flowgate serve flags", () => {
  it("serves a TOML config with the built-in runtime defaults", async () => {
    const { code, served, stderr } = await run(["--config", TOML]);
    expect(code).toBe(0);
    expect(stderr).toBe(`Reading configuration from ${TOML}...\n`);
    expect(served?.config.servers.map((server) => server.id)).toEqual(["mem"]);
    expect(served?.runtime).toEqual({
      configSource: TOML,
      listenHost: "127.0.0.1",
      listenPort: 3000,
      mode: "routed",
      logDir: "/tmp/gh-aw/mcp-logs",
      logPayloads: "redacted",
      verbosity: 0,
      guardsMode: "strict",
      sinkServerIds: [],
      urlDomainAudit: false,
      sessionTimeoutMs: 6 * 3_600_000,
      shutdownTimeoutMs: 5000,
      limits: DEFAULT_LIMITS,
    });
  });

  it("reads JSON from stdin with --config-stdin, which wins over --config", async () => {
    const { code, served, stderr } = await run(["--config", TOML, "--config-stdin"], { stdin: JSON_CONFIG, env: { AGENT: "aid" } });
    expect(code).toBe(0);
    expect(stderr).toContain("Reading configuration from stdin...");
    expect(served?.config.gateway.agentId).toBe("aid");
    expect(served?.runtime.configSource).toBe("stdin");
  });

  it("maps the flags to runtime options", async () => {
    const { served } = await run([
      "-c",
      TOML,
      "-l",
      "[::1]:0",
      "--unified",
      "-vvv",
      "--log-dir",
      "/logs",
      "--guards-mode",
      "filter",
      "--guards-sink-server-ids",
      "mem, other",
      "--url-domain-audit",
      "--sequential-launch",
      "--shutdown-timeout",
      "1m30s",
      "--log-payloads",
      "all",
      "--max-agents-per-server",
      "4",
      "--max-message-size",
      "1048576",
      "--request-timeout",
      "2m",
      "--headers-timeout",
      "10s",
      "--metrics-listen",
      "127.0.0.1:9464",
    ]);
    expect(served?.runtime).toMatchObject({
      listenHost: "::1",
      listenPort: 0,
      mode: "unified",
      verbosity: 3,
      logDir: "/logs",
      logPayloads: "all",
      guardsMode: "filter",
      sinkServerIds: ["mem", "other"],
      urlDomainAudit: true,
      shutdownTimeoutMs: 90_000,
      limits: { maxAgentsPerServer: 4, maxMessageBytes: 1_048_576, requestTimeoutMs: 120_000, headersTimeoutMs: 10_000 },
      metricsListen: { host: "127.0.0.1", port: 9464 },
    });
    expect(served?.config.sequentialLaunch).toBe(true);
    expect(served?.config.warnings).toEqual([expect.stringContaining('unknown server ID "other"')]);
  });

  it("takes flag defaults from environment variables", async () => {
    const { served } = await run(["-c", TOML], {
      env: {
        MCP_GATEWAY_LOG_DIR: "/env/logs",
        MCP_GATEWAY_GUARDS_MODE: "propagate",
        MCP_GATEWAY_GUARDS_SINK_SERVER_IDS: "mem",
        MCP_GATEWAY_URL_DOMAIN_AUDIT: "Yes",
        MCP_GATEWAY_SHUTDOWN_TIMEOUT: "250ms",
        MCP_GATEWAY_SESSION_TIMEOUT: "30m",
        MCP_GATEWAY_WASM_GUARDS_DIR: "",
        MCP_GATEWAY_LOG_PAYLOADS: "all",
        FLOWGATE_METRICS_LISTEN: ":9100",
      },
    });
    expect(served?.runtime).toMatchObject({
      logDir: "/env/logs",
      logPayloads: "all",
      guardsMode: "propagate",
      sinkServerIds: ["mem"],
      urlDomainAudit: true,
      shutdownTimeoutMs: 250,
      sessionTimeoutMs: 1_800_000,
      wasmGuardsDir: "",
      metricsListen: { host: "0.0.0.0", port: 9100 },
    });
  });

  it.each([
    ["MCP_GATEWAY_GUARDS_MODE", "loose", "guardsMode", "strict"],
    ["MCP_GATEWAY_SHUTDOWN_TIMEOUT", "-5s", "shutdownTimeoutMs", 5000],
    ["MCP_GATEWAY_SESSION_TIMEOUT", "soon", "sessionTimeoutMs", 6 * 3_600_000],
    ["MCP_GATEWAY_URL_DOMAIN_AUDIT", "maybe", "urlDomainAudit", false],
    ["MCP_GATEWAY_LOG_PAYLOADS", "everything", "logPayloads", "redacted"],
  ])("ignores an invalid %s=%s", async (name, value, field, expected) => {
    const { served } = await run(["-c", TOML], { env: { [name]: value } });
    expect(served?.runtime[field as keyof RuntimeOptions]).toEqual(expected);
  });

  it("serves metrics where --metrics-listen says, over FLOWGATE_METRICS_LISTEN", async () => {
    const { served } = await run(["-c", TOML, "--metrics-listen", "[::1]:9200"], { env: { FLOWGATE_METRICS_LISTEN: ":9100" } });
    expect(served?.runtime.metricsListen).toEqual({ host: "::1", port: 9200 });
  });

  it("uses the config's guards_mode unless a flag or the environment sets one", async () => {
    const toml = file("mode.toml", 'guards_mode = "filter"\n[servers.a]\ncommand = "docker"\n');
    expect((await run(["-c", toml])).served?.runtime.guardsMode).toBe("filter");
    expect((await run(["-c", toml], { env: { MCP_GATEWAY_GUARDS_MODE: "propagate" } })).served?.runtime.guardsMode).toBe("propagate");
    expect((await run(["-c", toml, "--guards-mode", "strict"], { env: { MCP_GATEWAY_GUARDS_MODE: "propagate" } })).served?.runtime.guardsMode).toBe("strict");
  });

  it.each([
    ["the config's values", [], {}, { payloadDir: "/from/config", payloadSizeThreshold: 1000 }],
    [
      "environment over config",
      [],
      { MCP_GATEWAY_PAYLOAD_DIR: "/from/env", MCP_GATEWAY_PAYLOAD_SIZE_THRESHOLD: "2000", MCP_GATEWAY_PAYLOAD_PATH_PREFIX: "/ws" },
      { payloadDir: "/from/env", payloadSizeThreshold: 2000, payloadPathPrefix: "/ws" },
    ],
    [
      "an environment value equal to the default does not override",
      [],
      { MCP_GATEWAY_PAYLOAD_DIR: "/tmp/jq-payloads", MCP_GATEWAY_PAYLOAD_SIZE_THRESHOLD: "524288" },
      { payloadDir: "/from/config", payloadSizeThreshold: 1000 },
    ],
    ["an invalid threshold in the environment is ignored", [], { MCP_GATEWAY_PAYLOAD_SIZE_THRESHOLD: "-3" }, { payloadSizeThreshold: 1000 }],
    [
      "flags over environment",
      ["--payload-dir", "/from/flag", "--payload-size-threshold", "3000", "--payload-path-prefix", "/p"],
      { MCP_GATEWAY_PAYLOAD_DIR: "/from/env", MCP_GATEWAY_PAYLOAD_SIZE_THRESHOLD: "2000" },
      { payloadDir: "/from/flag", payloadSizeThreshold: 3000, payloadPathPrefix: "/p" },
    ],
  ])("resolves payload settings: %s", async (_case, flags, env, expected) => {
    const { served } = await run(["-c", TOML, ...flags], { env });
    expect(served?.config.gateway).toMatchObject(expected);
  });

  it("loads the --env file before the config, so its variables expand and set defaults", async () => {
    const envFile = file("vars.env", "AGENT=from-env-file\nMCP_GATEWAY_LOG_DIR=/env-file/logs\n");
    const { served } = await run(["--config-stdin", "--env", envFile], { stdin: JSON_CONFIG });
    expect(served?.config.gateway.agentId).toBe("from-env-file");
    expect(served?.runtime.logDir).toBe("/env-file/logs");
  });

  it.each([
    [
      "--guard-policy-json",
      ["--guard-policy-json", '{"allowonly":{"repos":"all","min-integrity":"none"}}'],
      {},
      { "allow-only": { repos: "all", "min-integrity": "none" } },
    ],
    [
      "public scope flags",
      ["--allowonly-scope-public", "--allowonly-min-integrity", "Un-Approved"],
      {},
      { "allow-only": { repos: "public", "min-integrity": "unapproved" } },
    ],
    [
      "owner and repo flags",
      ["--allowonly-scope-owner", "octo", "--allowonly-scope-repo", "demo", "--allowonly-min-integrity", "merged"],
      {},
      { "allow-only": { repos: ["octo/demo"], "min-integrity": "merged" } },
    ],
    [
      "a flag beats the JSON variable",
      ["--allowonly-scope-owner", "octo", "--allowonly-min-integrity", "none"],
      { MCP_GATEWAY_GUARD_POLICY_JSON: '{"write-sink":{"accept":["*"]}}' },
      { "allow-only": { repos: ["octo/*"], "min-integrity": "none" } },
    ],
    [
      "the JSON variable beats the allow-only variables",
      [],
      { MCP_GATEWAY_GUARD_POLICY_JSON: '{"write-sink":{"accept":["*"]}}', MCP_GATEWAY_ALLOWONLY_SCOPE_PUBLIC: "1" },
      { "write-sink": { accept: ["*"] } },
    ],
    [
      "the allow-only variables",
      [],
      { MCP_GATEWAY_ALLOWONLY_SCOPE_PUBLIC: "true", MCP_GATEWAY_ALLOWONLY_MIN_INTEGRITY: "approved" },
      { "allow-only": { repos: "public", "min-integrity": "approved" } },
    ],
    ["nothing set", [], {}, undefined],
  ])("resolves the global guard policy override: %s", async (_case, flags, env, expected) => {
    const { code, served } = await run(["-c", TOML, ...flags], { env });
    expect(code).toBe(0);
    expect(served?.runtime.guardPolicyOverride).toEqual(expected);
  });

  it.each([
    [
      "a configured port that is not the listen port",
      ["--listen", "127.0.0.1:9000"],
      {},
      "port = 8123",
      ["the configuration's port 8123 is not where flowgate listens (as in gh-aw-mcpg, it is not used to listen): it listens on 127.0.0.1:9000, from --listen"],
    ],
    ["a configured port beside the default listen address", [], {}, "port = 8123", ["it listens on 127.0.0.1:3000, the default; set it with --listen"]],
    [
      "a flag over the configured payload directory",
      ["--payload-dir", "/from/flag"],
      {},
      "",
      ['--payload-dir "/from/flag" overrides the configuration\'s payload directory "/from/config"'],
    ],
    [
      "a variable over the configured threshold",
      [],
      { MCP_GATEWAY_PAYLOAD_SIZE_THRESHOLD: "2000" },
      "",
      ["MCP_GATEWAY_PAYLOAD_SIZE_THRESHOLD 2000 overrides the configuration's payload size threshold 1000"],
    ],
    [
      "a flag over the configured guards mode",
      ["--guards-mode", "propagate"],
      {},
      "",
      ['--guards-mode "propagate" overrides the configuration\'s guards mode "filter"'],
    ],
    [
      "an OTLP endpoint flag over the configured one",
      ["--otlp-endpoint", "https://flag.example"],
      {},
      '[gateway.opentelemetry]\nendpoint = "https://otel.example"',
      ['--otlp-endpoint "https://flag.example" overrides the configuration\'s OpenTelemetry endpoint "https://otel.example"'],
    ],
    [
      "a port equal to the listen port, and flags equal to the configuration",
      ["--listen", "127.0.0.1:8123", "--payload-dir", "/from/config"],
      {},
      "port = 8123",
      [],
    ],
  ])("warns of %s", async (_case, flags, env, extra, expected) => {
    const toml = file(
      "overrides.toml",
      `guards_mode = "filter"\n[gateway]\npayload_dir = "/from/config"\npayload_size_threshold = 1000\n${extra}\n[servers.mem]\ncommand = "node"\n`,
    );
    const { code, served } = await run(["-c", toml, ...flags], { env });
    expect(code).toBe(0);
    expect(served?.config.warnings).toEqual(expected.map((text) => expect.stringContaining(text)));
  });

  it("passes the serve function's exit code on", async () => {
    expect((await run(["-c", TOML], { serveCode: 3 })).code).toBe(3);
  });
});

describe("flowgate serve errors: exit 1 before anything is served", () => {
  it.each([
    ["no configuration flag", [], {}, "", /a configuration is required: pass --config <file.toml> or --config-stdin/],
    ["a missing TOML file", ["-c", join(dir, "absent.toml")], {}, "", /^failed to load config: cannot read configuration file .*absent\.toml/m],
    [
      "an invalid JSON config",
      ["--config-stdin"],
      {},
      '{"mcpServers": {}}',
      /^failed to load config: Configuration validation error:[\s\S]*Configuration error at gateway: required field is missing/m,
    ],
    [
      "an undefined variable",
      ["--config-stdin"],
      {},
      JSON_CONFIG,
      /^failed to load config: Configuration error at gateway\.agentId: undefined environment variable referenced: AGENT/m,
    ],
    ["an invalid TOML config", ["-c", file("bad.toml", "[servers.a]\nprot = 1\n")], {}, "", /^failed to load config: [\s\S]*servers\.a\.prot: unknown field/m],
    [
      "an invalid jq filter",
      ["-c", file("jq.toml", `${'[servers.a]\ncommand = "docker"\n'}[servers.a.tool_response_filters]\nsearch = "map("\n`)],
      {},
      "",
      /^failed to load config: Configuration error at servers\.a\.tool_response_filters\.search: servers\.a\.tool_response_filters\.search contains an invalid jq expression: syntax error/m,
    ],
    ["a missing --env file", ["-c", TOML, "--env", join(dir, "absent.env")], {}, "", /^failed to load \.env file: /m],
    ["an invalid --listen", ["-c", TOML, "--listen", "localhost"], {}, "", /invalid --listen address "localhost"/],
    ["a port out of range in --listen", ["-c", TOML, "--listen", "127.0.0.1:70000"], {}, "", /invalid --listen address/],
    [
      "an invalid --metrics-listen",
      ["-c", TOML, "--metrics-listen", "9464"],
      {},
      "",
      /invalid --metrics-listen address "9464": expected host:port .* e\.g\. 127\.0\.0\.1:9464/,
    ],
    ["an invalid FLOWGATE_METRICS_LISTEN", ["-c", TOML], { FLOWGATE_METRICS_LISTEN: "localhost" }, "", /invalid FLOWGATE_METRICS_LISTEN address "localhost"/],
    ["an invalid --guards-mode", ["-c", TOML, "--guards-mode", "loose"], {}, "", /invalid --guards-mode "loose": expected strict, filter or propagate/],
    ["an invalid --log-payloads", ["-c", TOML, "--log-payloads", "some"], {}, "", /invalid --log-payloads "some": expected redacted .* or all/],
    ["an invalid --shutdown-timeout", ["-c", TOML, "--shutdown-timeout", "5"], {}, "", /invalid --shutdown-timeout "5"/],
    ["an invalid --payload-size-threshold", ["-c", TOML, "--payload-size-threshold", "0"], {}, "", /invalid --payload-size-threshold "0"/],
    [
      "a zero --max-agents-per-server",
      ["-c", TOML, "--max-agents-per-server", "0"],
      {},
      "",
      /invalid --max-agents-per-server "0": expected a positive whole number of agents/,
    ],
    [
      "a --max-message-size with a unit",
      ["-c", TOML, "--max-message-size", "16MB"],
      {},
      "",
      /invalid --max-message-size "16MB": expected a positive whole number of bytes/,
    ],
    ["a --request-timeout without a unit", ["-c", TOML, "--request-timeout", "30"], {}, "", /invalid --request-timeout "30"/],
    [
      "a --headers-timeout above the request timeout",
      ["-c", TOML, "--request-timeout", "10s", "--headers-timeout", "20s"],
      {},
      "",
      /invalid --headers-timeout "20s": must not exceed the request timeout/,
    ],
    ["whitespace inside a sink server id", ["-c", TOML, "--guards-sink-server-ids", "a b,c"], {}, "", /server id "a b" contains whitespace/],
    ["--routed with --unified", ["-c", TOML, "--routed", "--unified"], {}, "", /option '--routed' cannot be used with option '--unified'/],
    ["a malformed policy JSON", ["-c", TOML, "--guard-policy-json", "{"], {}, "", /^invalid guard policy configuration: the policy is not valid JSON/m],
    [
      "a policy of the wrong shape",
      ["-c", TOML],
      { MCP_GATEWAY_GUARD_POLICY_JSON: '{"allow-only":{},"write-sink":{}}' },
      "",
      /^invalid guard policy configuration: policy must include allow-only or write-sink, not both/m,
    ],
    [
      "both allow-only scopes",
      ["-c", TOML, "--allowonly-scope-public", "--allowonly-scope-owner", "o", "--allowonly-min-integrity", "none"],
      {},
      "",
      /exactly one of the public scope or the owner scope/,
    ],
    [
      "a repo scope without an owner",
      ["-c", TOML, "--allowonly-scope-public", "--allowonly-scope-repo", "r", "--allowonly-min-integrity", "none"],
      {},
      "",
      /repository scope needs an owner scope/,
    ],
    ["an allow-only scope without min-integrity", ["-c", TOML, "--allowonly-scope-public"], {}, "", /minimum integrity is required/],
    [
      "an unknown min-integrity",
      ["-c", TOML],
      { MCP_GATEWAY_ALLOWONLY_SCOPE_OWNER: "o", MCP_GATEWAY_ALLOWONLY_MIN_INTEGRITY: "high" },
      "",
      /unknown minimum integrity "high"/,
    ],
  ])("rejects %s", async (_case, args, env, stdin, message) => {
    const { code, served, stderr } = await run(args, { env, stdin });
    expect(code).toBe(1);
    expect(served).toBeUndefined();
    expect(stderr).toMatch(message);
  });
});
