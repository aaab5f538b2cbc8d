import { describe, expect, it } from "vitest";
import { loadJsonConfig } from "../../src/config/json-loader.ts";
import { base, configError, issueAt } from "./support.ts";

const S1 = { container: "ghcr.io/example/echo:1" };
const R1 = { type: "http", url: "http://127.0.0.1:9/mcp" };
const withGateway = (gateway: Record<string, unknown>) => JSON.stringify(base({ s1: S1 }, gateway));
const withServer = (server: Record<string, unknown>, id = "s1") => JSON.stringify(base({ [id]: server }));
const without = (key: string) => JSON.stringify({ ...base({ s1: S1 }), [key]: undefined });
const gatewayWithout = (key: string) => {
  const document = base({ s1: S1 });
  delete (document.gateway as Record<string, unknown>)[key];
  return JSON.stringify(document);
};

// One row per error class: the input, the path the error must name, and what it must say.
const rows: Array<[string, string, string, RegExp]> = [
  ["invalid JSON", "{not json", "configuration", /invalid JSON/],
  [
    "undefined variable",
    withServer({ ...S1, env: { GITHUB_TOKEN: "${UNDEF_XYZ}" } }, "github"),
    "mcpServers.github.env.GITHUB_TOKEN",
    /undefined environment variable referenced: UNDEF_XYZ/,
  ],
  ["unknown top-level field", JSON.stringify({ ...base({ s1: S1 }), unknownTop: 1 }), "unknownTop", /unknown field "unknownTop"/],
  ["unknown gateway field", withGateway({ prot: 8080 }), "gateway.prot", /unknown field "prot"/],
  ["unknown server field", withServer({ ...S1, working_directory: "/w" }), "mcpServers.s1.working_directory", /unknown field/],
  ["agentIds (spec 1.17, not supported)", withGateway({ agentIds: ["a"] }), "gateway.agentIds", /unknown field/],
  ["no gateway", without("gateway"), "gateway", /required field is missing/],
  ["no mcpServers", without("mcpServers"), "mcpServers", /required field is missing/],
  ["gateway without port", gatewayWithout("port"), "gateway.port", /required field is missing/],
  ["gateway without domain", gatewayWithout("domain"), "gateway.domain", /required field is missing/],
  ["gateway without agentId", gatewayWithout("agentId"), "gateway.agentId", /required field is missing/],
  ["stdio server without container", withServer({ env: {} }), "mcpServers.s1.container", /'container' is required for stdio servers/],
  ["http server without url", withServer({ type: "http" }, "r1"), "mcpServers.r1.url", /required field is missing/],
  ["auth without type", withServer({ ...R1, auth: {} }, "r1"), "mcpServers.r1.auth.type", /required field is missing/],
  ["port as a string", withGateway({ port: "abc" }), "gateway.port", /has type string .*expected integer/],
  ["port as a fraction", withGateway({ port: 8080.5 }), "gateway.port", /expected integer/],
  ["port 0", withGateway({ port: 0 }), "gateway.port", /must be >= 1/],
  ["port 65536", withGateway({ port: 65536 }), "gateway.port", /must be <= 65535/],
  ["port -1", withGateway({ port: -1 }), "gateway.port", /must be >= 1/],
  ["startupTimeout as a string", withGateway({ startupTimeout: "30" }), "gateway.startupTimeout", /expected integer/],
  ["startupTimeout 0", withGateway({ startupTimeout: 0 }), "gateway.startupTimeout", /must be >= 1/],
  ["toolTimeout below 10", withGateway({ toolTimeout: 5 }), "gateway.toolTimeout", /must be >= 10/],
  ["agentId empty", withGateway({ agentId: "" }), "gateway.agentId", /must NOT have fewer than 1 characters/],
  ["trustedBots as a string", withGateway({ trustedBots: "bot" }), "gateway.trustedBots", /expected array/],
  ["trustedBots empty", withGateway({ trustedBots: [] }), "gateway.trustedBots", /fewer than 1 items/],
  ["trustedBots blank entry", withGateway({ trustedBots: [" "] }), "gateway.trustedBots[0]", /must match pattern/],
  ["forcePublicRepos as a string", withGateway({ forcePublicRepos: "yes" }), "gateway.forcePublicRepos", /expected boolean/],
  ["keepaliveInterval as a fraction", withGateway({ keepaliveInterval: 1.5 }), "gateway.keepaliveInterval", /expected integer/],
  ["payloadSizeThreshold 0", withGateway({ payloadSizeThreshold: 0 }), "gateway.payloadSizeThreshold", /must be >= 1/],
  ["domain not a host label", withGateway({ domain: "Example.com" }), "gateway.domain", /must match pattern/],
  [
    "opentelemetry traceId",
    withGateway({ opentelemetry: { endpoint: "https://otel.example", traceId: "XYZ" } }),
    "gateway.opentelemetry.traceId",
    /must match pattern/,
  ],
  [
    "opentelemetry gRPC endpoint",
    withGateway({ opentelemetry: { endpoint: "grpc://otel.example:4317" } }),
    "gateway.opentelemetry.endpoint",
    /must match pattern/,
  ],
  [
    "opentelemetry headers (removed from the spec)",
    withGateway({ opentelemetry: { endpoint: "https://o.example", headers: "a=b" } }),
    "gateway.opentelemetry.headers",
    /unknown field/,
  ],
  ...["payloads", "./payloads", "../data/payloads", "data/payloads", "", " "].map((dir): [string, string, string, RegExp] => [
    `payloadDir ${JSON.stringify(dir)}`,
    withGateway({ payloadDir: dir }),
    "gateway.payloadDir",
    /must match pattern/,
  ]),
  ["mounts as a string", withServer({ ...S1, mounts: "/a:/b:ro" }), "mcpServers.s1.mounts", /expected array/],
  ...["/a:/b", "/a", "/a::ro", ":/b:ro", "rel:/b:ro", "/a:rel:ro", "/a:/b:rx", "/a:/b:RO", "/a:/b:readonly"].map((mount): [string, string, string, RegExp] => [
    `mount ${mount}`,
    withServer({ ...S1, mounts: [mount] }),
    "mcpServers.s1.mounts[0]",
    /mount/,
  ]),
  ["mounts on an http server", withServer({ ...R1, mounts: ["/a:/b:ro"] }, "r1"), "mcpServers.r1.mounts", /only supported for stdio/],
  ["env value not a string", withServer({ ...S1, env: { A: 1 } }), "mcpServers.s1.env.A", /expected string/],
  ["tools as a string", withServer({ ...S1, tools: "*" }), "mcpServers.s1.tools", /expected array/],
  ["per-server tool_timeout below 10", withServer({ ...S1, tool_timeout: 5 }), "mcpServers.s1.tool_timeout", /tool_timeout must be at least 10, got 5/],
  ["invalid container image", withServer({ container: "-bad image" }), "mcpServers.s1.container", /invalid container image/],
  ["container and command together", withServer({ ...S1, command: "node" }), "mcpServers.s1.command", /either 'container' or 'command'/],
  ["mounts on a command server", withServer({ command: "node", mounts: ["/a:/b:ro"] }), "mcpServers.s1.mounts", /only applies to container servers/],
  ["http url without scheme", withServer({ type: "http", url: "example.com/mcp" }, "r1"), "mcpServers.r1.url", /must match pattern/],
  [
    "unregistered server type",
    withServer({ type: "unregistered", container: "x" }),
    "mcpServers.s1.type",
    /unsupported server type 'unregistered'.*not registered in customSchemas/,
  ],
  [
    "registered custom type",
    JSON.stringify(base({ s1: { type: "safeinputs" } }, {}, { customSchemas: { safeinputs: "" } })),
    "mcpServers.s1.type",
    /cannot launch custom server types/,
  ],
  [
    "customSchemas reserved name",
    JSON.stringify(base({ s1: S1 }, {}, { customSchemas: { stdio: "https://x.example/s.json" } })),
    "customSchemas.stdio",
    /not allowed/,
  ],
  [
    "customSchemas non-https URL",
    JSON.stringify(base({ s1: S1 }, {}, { customSchemas: { t1: "http://x.example/s.json" } })),
    "customSchemas.t1",
    /must match pattern/,
  ],
  ["server id with a slash", withServer(S1, "a/b"), "mcpServers.a/b", /not allowed/],
  ["guard policy with both forms", withServer({ ...S1, "guard-policies": { "allow-only": {}, "write-sink": {} } }), "mcpServers.s1.guard-policies", /not both/],
  ["guard policy with neither form", withServer({ ...S1, "guard-policies": {} }), "mcpServers.s1.guard-policies", /must include allow-only or write-sink/],
  [
    "guard policy with another key",
    withServer({ ...S1, "guard-policies": { "allow-only": {}, extra: 1 } }),
    "mcpServers.s1.guard-policies.extra",
    /unsupported field "extra"/,
  ],
  [
    "guard policy body not an object",
    withServer({ ...S1, "guard-policies": { "write-sink": [] } }),
    "mcpServers.s1.guard-policies.write-sink",
    /must be an object/,
  ],
  ["guard not defined", withServer({ ...S1, guard: "missing" }), "mcpServers.s1.guard", /guard 'missing' is not defined/],
  ["wasm guard without path", JSON.stringify(base({ s1: S1 }, {}, { guards: { g: { type: "wasm" } } })), "guards.g.path", /needs the path/],
  [
    "guard policy in guards",
    JSON.stringify(base({ s1: S1 }, {}, { guards: { g: { type: "noop", policy: { allowonly: {}, writesink: {} } } } })),
    "guards.g.policy",
    /not both/,
  ],
  ["github-oidc auth outside Actions", withServer({ ...R1, auth: { type: "github-oidc" } }, "r1"), "mcpServers.r1.auth", /ACTIONS_ID_TOKEN_REQUEST_URL/],
  ["auth on a stdio server", withServer({ ...S1, auth: { type: "github-oidc" } }), "mcpServers.s1.auth", /unknown field/],
];

describe("JSON config errors", () => {
  it.each(rows)("rejects %s with the path and what is wrong", (_name, text, path, problem) => {
    const error = configError(() => loadJsonConfig(text, {}));
    const issue = issueAt(error, path);
    expect(issue, `issues: ${error.message}`).toBeDefined();
    expect(issue?.problem).toMatch(problem);
    expect(issue?.expected.length).toBeGreaterThan(10);
    expect(error.message).toContain(`Configuration error at ${path}: `);
    expect(error.message).toContain("Suggestion: ");
  });

  it("reports every problem of a stage at once", () => {
    const error = configError(() => loadJsonConfig(JSON.stringify({ ...base({ s1: S1 }, { port: 0, prot: 1 }), unknownTop: 1 }), {}));
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(["gateway.port", "gateway.prot", "unknownTop"]);
  });

  it("names every undefined variable, each where it is used", () => {
    const text = JSON.stringify(base({ s1: { ...S1, env: { A: "${MISSING_A}", B: "x-${MISSING_B}-y" } } }));
    const error = configError(() => loadJsonConfig(text, {}));
    expect(error.issues.map((issue) => [issue.path, issue.problem])).toEqual([
      ["mcpServers.s1.env.A", "undefined environment variable referenced: MISSING_A"],
      ["mcpServers.s1.env.B", "undefined environment variable referenced: MISSING_B"],
    ]);
  });

  it("names an undefined variable in an unquoted position with the whole configuration as its place", () => {
    const text = `{"mcpServers": {}, "gateway": {"port": \${NO_SUCH_PORT}, "domain": "localhost", "agentId": "a"}}`;
    const issue = configError(() => loadJsonConfig(text, {})).issues[0];
    expect(issue).toMatchObject({ path: "configuration", problem: "undefined environment variable referenced: NO_SUCH_PORT" });
  });
});
