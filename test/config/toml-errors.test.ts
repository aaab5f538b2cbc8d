import { describe, expect, it } from "vitest";
import { loadTomlConfig } from "../../src/config/toml-loader.ts";
import { configError, issueAt } from "./support.ts";

const DOCKER = '[servers.a]\ncommand = "docker"\nargs = ["run", "--rm", "-i", "img"]\n';

const rows: Array<[string, string, string, RegExp]> = [
  ["a TOML syntax error, with line and column", "[servers]\na = \n", "configuration", /failed to parse TOML at line 2, column 5/],
  ["an unknown top-level key", `prot = 1\n${DOCKER}`, "prot", /unknown field "prot"/],
  ["an unknown gateway key", `[gateway]\nstartup_timout = 5\n${DOCKER}`, "gateway.startup_timout", /unknown field/],
  ["an unknown server key", `${DOCKER}container = "img"\n`, "servers.a.container", /unknown field/],
  ["no servers", "[gateway]\nport = 3000\n", "servers", /required field is missing/],
  ["an empty servers table", "[servers]\n", "servers", /must not be empty/],
  ["a port out of range", `[gateway]\nport = 70000\n${DOCKER}`, "gateway.port", /must be <= 65535/],
  ["a port of the wrong type", `[gateway]\nport = "3000"\n${DOCKER}`, "gateway.port", /expected integer/],
  ["payload_size_threshold 0", `[gateway]\npayload_size_threshold = 0\n${DOCKER}`, "gateway.payload_size_threshold", /must be >= 1/],
  ["empty trusted_bots", `[gateway]\ntrusted_bots = []\n${DOCKER}`, "gateway.trusted_bots", /fewer than 1 items/],
  ["a stdio server without command", "[servers.a]\nargs = []\n", "servers.a.command", /'command' is required for stdio servers/],
  ["an http server without url", '[servers.h]\ntype = "http"\n', "servers.h.url", /'url' is required for HTTP servers/],
  ["a custom server type", '[servers.a]\ntype = "safeinputs"\ncommand = "x"\n', "servers.a.type", /not an allowed value/],
  ["an unknown guards_mode", `guards_mode = "loose"\n${DOCKER}`, "guards_mode", /not an allowed value/],
  [
    "a gRPC OpenTelemetry endpoint",
    `[gateway.opentelemetry]\nendpoint = "grpc://otel.example:4317"\n${DOCKER}`,
    "gateway.opentelemetry.endpoint",
    /must be an http:\/\/ or https:\/\/ URL/,
  ],
  [
    "an undefined variable in the OpenTelemetry endpoint",
    `[gateway.opentelemetry]\nendpoint = "\${OTEL_HOST_UNSET}"\n${DOCKER}`,
    "gateway.opentelemetry.endpoint",
    /undefined environment variable referenced: OTEL_HOST_UNSET/,
  ],
  [
    "a malformed trace id",
    `[gateway.opentelemetry]\nendpoint = "https://o.example"\ntrace_id = "abc"\n${DOCKER}`,
    "gateway.opentelemetry.trace_id",
    /invalid trace id/,
  ],
  [
    "a guard policy with both forms",
    `${DOCKER}[servers.a.guard_policies.allow-only]\nrepos = "all"\n[servers.a.guard_policies.write-sink]\naccept = ["*"]\n`,
    "servers.a.guard_policies",
    /not both/,
  ],
];

describe("TOML config errors", () => {
  it.each(rows)("rejects %s with the path and what is wrong", (_name, text, path, problem) => {
    const error = configError(() => loadTomlConfig(text, {}));
    const issue = issueAt(error, path);
    expect(issue, `issues: ${error.message}`).toBeDefined();
    expect(issue?.problem).toMatch(problem);
    expect(error.message).toContain(`Configuration error at ${path}: `);
  });

  it("does not expand variables outside the tracing section", () => {
    const config = loadTomlConfig('[servers.a]\ncommand = "docker"\nargs = ["-v", "${PWD}:/w:ro"]\n', {});
    expect(config.servers[0]).toMatchObject({ args: ["-v", "${PWD}:/w:ro"] });
  });
});
