// §2.1 Configuration tests (T-CFG-001…019).
import { startRecordingProxy } from "../../support/recording-proxy.ts";
import { startEverythingHttp } from "../../support/mcp-servers.ts";
import {
  AID,
  base,
  check,
  departure,
  echoServer,
  expectRejected,
  McpSession,
  pass,
  post,
  rejected,
  resultText,
  startGateway,
  type CaseGroup,
  type ComplianceCase,
} from "../harness.ts";

/** Each config must be refused naming every token; `label` says which variant failed. */
async function allRejected(variants: [label: string, config: Record<string, unknown>, tokens: string[]][], env?: Record<string, string>): Promise<void> {
  for (const [label, config, tokens] of variants) {
    const rejection = await rejected(config, env ? { env } : {});
    try {
      expectRejected(rejection, ...tokens);
    } catch (error) {
      throw new Error(`${label}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

const withGateway = (gateway: Record<string, unknown>) => base({ s1: echoServer() }, gateway);
const withServer = (server: Record<string, unknown>) => base({ s1: server });
const CUSTOM_ROW = "custom server types (`customSchemas`)";

export function cfgGroup(): CaseGroup {
  const cases: ComplianceCase[] = [
    {
      id: "T-CFG-001",
      title: "A valid stdio server is accepted",
      how: "READY with a `container` server (and the variant with type, entrypoint, entrypointArgs, env); the stdout entry; tools/list through /mcp/s1; the recorded `docker run` carries the entrypoint and its arguments",
      fast: true,
      run: async () => {
        const gateway = await startGateway(
          base({ s1: echoServer(), s2: echoServer({ type: "stdio", entrypoint: "/bin/server", entrypointArgs: ["--v"], env: { A: "1" } }) }),
        );
        try {
          const entry = (gateway.document.mcpServers as Record<string, Record<string, unknown>>).s1!;
          check(entry.type === "http", `type ${String(entry.type)}`);
          check(String(entry.url).endsWith(`:${gateway.port}/mcp/s1`), `url ${String(entry.url)}`);
          check((entry.headers as Record<string, string>).Authorization === AID, "headers.Authorization is not the agent id");
          const session = await McpSession.open(gateway, "s1");
          const tools = await session.request("tools/list");
          check(Array.isArray((tools.message?.result as { tools?: unknown[] } | undefined)?.tools), `tools/list: ${tools.text.slice(0, 200)}`);
          const variant = gateway.dockerRuns().find((run) => run.args.includes("--entrypoint"));
          check(variant, "no docker run with --entrypoint");
          const args = variant.args.join(" ");
          check(args.includes("--entrypoint /bin/server") && args.endsWith("compliance/echo --v") && args.includes("-e A=1"), `docker args: ${args}`);
          return pass();
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-CFG-002",
      title: "A valid HTTP server is accepted",
      how: "READY with an HTTP server (server-everything over streamable HTTP behind a recording proxy) with headers X-Test; an RPC reaches it carrying the header",
      run: async () => {
        const upstream = await startEverythingHttp();
        const proxy = await startRecordingProxy(upstream.url);
        const gateway = await startGateway(base({ r1: { type: "http", url: proxy.url, headers: { "X-Test": "1" } } }));
        try {
          const url = String((gateway.document.mcpServers as Record<string, Record<string, unknown>>).r1!.url);
          check(url.endsWith(`:${gateway.port}/mcp/r1`), `url ${url}`);
          const session = await McpSession.open(gateway, "r1");
          const reply = await session.callTool("echo", { message: "hi" });
          check(resultText(reply).includes("hi"), `echo: ${reply.text.slice(0, 200)}`);
          check(proxy.seen.length > 0 && proxy.seen.every((headers) => headers["x-test"] === "1"), "a request reached the server without X-Test: 1");
          return pass();
        } finally {
          await gateway.stop();
          await proxy.stop();
          await upstream.stop();
        }
      },
    },
    {
      id: "T-CFG-003",
      title: "`${VAR}` values are substituted",
      how: "env TEST_TOKEN/TEST_AID; agentId, an HTTP header and a container env use them; the HTTP server sees the expanded header, the container's env has the value, the stdout header is expanded, the literal `${TEST_AID}` gets 401",
      run: async () => {
        const upstream = await startEverythingHttp();
        const proxy = await startRecordingProxy(upstream.url);
        const config = base(
          { r1: { type: "http", url: proxy.url, headers: { Authorization: "Bearer ${TEST_TOKEN}" } }, s1: echoServer({ env: { K: "${TEST_TOKEN}" } }) },
          { agentId: "${TEST_AID}" },
        );
        const gateway = await startGateway(config, { env: { TEST_TOKEN: "abc123", TEST_AID: "aid-xyz" } });
        try {
          const servers = gateway.document.mcpServers as Record<string, { headers: Record<string, string> }>;
          check(servers.s1!.headers.Authorization === "aid-xyz", `stdout Authorization ${servers.s1!.headers.Authorization}`);
          const r1 = await McpSession.open(gateway, "r1", "aid-xyz");
          await r1.callTool("echo", { message: "x" });
          check(
            proxy.seen.some((headers) => headers.authorization === "Bearer abc123"),
            "the HTTP server never saw Authorization: Bearer abc123",
          );
          const s1 = await McpSession.open(gateway, "s1", "aid-xyz");
          const env = JSON.parse(resultText(await s1.callTool("get-env"))) as Record<string, string>;
          check(env.K === "abc123", `K=${env.K}`);
          const literal = await post(`${gateway.baseUrl}/mcp/s1`, { jsonrpc: "2.0", id: 1, method: "tools/list" }, { Authorization: "${TEST_AID}" });
          check(literal.status === 401, `literal \${TEST_AID}: HTTP ${literal.status}`);
          return pass();
        } finally {
          await gateway.stop();
          await proxy.stop();
          await upstream.stop();
        }
      },
    },
    {
      id: "T-CFG-004",
      title: "An undefined variable is detected",
      how: "`${UNDEF_XYZ}` unset in a server env: exit 1, the output names the variable and `mcpServers.github.env.GITHUB_TOKEN`, nothing listens, no `docker run`",
      fast: true,
      run: async () => {
        const rejection = await rejected(base({ github: echoServer({ env: { GITHUB_TOKEN: "${UNDEF_XYZ}" } }) }), { unset: ["UNDEF_XYZ"] });
        expectRejected(rejection, "UNDEF_XYZ", "mcpServers.github.env.GITHUB_TOKEN");
        return pass();
      },
    },
    {
      id: "T-CFG-005",
      title: "`payloadDir` path validation",
      how: '`/tmp/gw-payloads` gives READY; `payloads`, `./payloads`, `../data/payloads`, `data/payloads`, `""`, `" "` are each refused naming payloadDir',
      fast: true,
      run: async () => {
        const gateway = await startGateway(withGateway({ payloadDir: "/tmp/gw-payloads" }));
        await gateway.stop();
        await allRejected(
          ["payloads", "./payloads", "../data/payloads", "data/payloads", "", " "].map((dir) => [
            JSON.stringify(dir),
            withGateway({ payloadDir: dir }),
            ["payloadDir"],
          ]),
        );
        return pass("the Windows form `C:\\temp\\payloads` is not run: on this Linux machine it is not an absolute path");
      },
    },
    {
      id: "T-CFG-006",
      title: "Unknown fields are rejected",
      how: "a top-level `unknownTop`, a gateway `prot`: each refused naming the field",
      fast: true,
      run: async () => {
        await allRejected([
          ["unknownTop", { ...withGateway({}), unknownTop: 1 }, ["unknownTop"]],
          ["gateway.prot", withGateway({ prot: 8080 }), ["prot"]],
        ]);
        return pass("a server's `command` is accepted for a local process (compatibility row “stdio servers by `command`”)");
      },
    },
    {
      id: "T-CFG-007",
      title: "Missing required fields are detected",
      how: "one run each without gateway, mcpServers, gateway.port, gateway.domain, gateway.agentId, a stdio server's container, an HTTP server's url, `auth:{}` without type, and with agentId + agentIds together: each refused naming the field",
      run: async () => {
        const full = withGateway({});
        const gatewayWithout = (field: string) => {
          const gateway = { ...(full.gateway as Record<string, unknown>) };
          delete gateway[field];
          return { ...full, gateway };
        };
        await allRejected([
          ["no gateway", { mcpServers: full.mcpServers }, ["gateway"]],
          ["no mcpServers", { gateway: full.gateway }, ["mcpServers"]],
          ["no gateway.port", gatewayWithout("port"), ["port"]],
          ["no gateway.domain", gatewayWithout("domain"), ["domain"]],
          ["no agentId", gatewayWithout("agentId"), ["agentId"]],
          ["stdio without container", withServer({ type: "stdio", env: {} }), ["container", "mcpServers.s1"]],
          ["http without url", withServer({ type: "http" }), ["url", "mcpServers.s1"]],
          ["auth without type", withServer({ type: "http", url: "http://127.0.0.1:9/mcp", auth: {} }), ["type", "mcpServers.s1.auth"]],
          ["agentId and agentIds", withGateway({ agentIds: ["a", "b"] }), ["agentIds"]],
        ]);
        return pass("`agentIds` is refused as an unknown field (compatibility row “agent id in JSON”), so the pair is refused too");
      },
    },
    {
      id: "T-CFG-008",
      title: "Type errors are detected",
      how: "one run each of the spec's 14 wrongly typed values; each refused naming the field",
      run: async () => {
        await allRejected([
          ['port "abc"', withGateway({ port: "abc" }), ["port"]],
          ["port 8080.5", withGateway({ port: 8080.5 }), ["port"]],
          ['startupTimeout "30"', withGateway({ startupTimeout: "30" }), ["startupTimeout"]],
          ["mounts string", withServer(echoServer({ mounts: "/a:/b:ro" })), ["mounts"]],
          ["env number", withServer(echoServer({ env: { A: 1 } })), ["env"]],
          ["tools string", withServer(echoServer({ tools: "*" })), ["tools"]],
          ["agentIds string", withGateway({ agentIds: "x" }), ["agentIds"]],
          ["agentIds []", withGateway({ agentIds: [] }), ["agentIds"]],
          ['agentId ""', withGateway({ agentId: "" }), ["agentId"]],
          ["trustedBots string", withGateway({ trustedBots: "bot" }), ["trustedBots"]],
          ['forcePublicRepos "yes"', withGateway({ forcePublicRepos: "yes" }), ["forcePublicRepos"]],
          ["keepaliveInterval 1.5", withGateway({ keepaliveInterval: 1.5 }), ["keepaliveInterval"]],
          ["payloadSizeThreshold 0", withGateway({ payloadSizeThreshold: 0 }), ["payloadSizeThreshold"]],
          ["opentelemetry.traceId", withGateway({ opentelemetry: { endpoint: "https://otel.example/v1/traces", traceId: "XYZ" } }), ["traceId"]],
        ]);
        return pass();
      },
    },
    {
      id: "T-CFG-009",
      title: "Port range is validated",
      how: "port 0, 65536, -1 each refused naming port; 65535 gives READY (flowgate listens where `--listen` says; gateway.port is validated)",
      fast: true,
      run: async () => {
        await allRejected(
          [0, 65536, -1].map((port) => [`port ${port}`, { ...withGateway({}), gateway: { domain: "localhost", agentId: AID, port } }, ["port"]]),
        );
        const gateway = await startGateway({ ...withGateway({}), gateway: { domain: "localhost", agentId: AID, port: 65535 } });
        await gateway.stop();
        return pass();
      },
    },
    {
      id: "T-CFG-010",
      title: "A custom type with a registered schema is accepted",
      how: "`customSchemas:{safeinputs:https://…}` and a `safeinputs` server: flowgate refuses it at load, saying custom server types cannot be launched",
      run: async () => {
        const rejection = await rejected({
          ...base({ si: { type: "safeinputs", tools: { greet: { script: "echo" } } } }),
          customSchemas: { safeinputs: "https://schemas.example/si.json" },
        });
        expectRejected(rejection, "si", "custom");
        return departure(
          CUSTOM_ROW,
          "a server of a custom type can never be launched by flowgate (nor by the reference), so the configuration is refused at load instead of starting a gateway with a server that cannot start",
        );
      },
    },
    {
      id: "T-CFG-011",
      title: "An unregistered custom type is rejected",
      how: "a server of type `unregistered` with no customSchemas entry is refused naming the type",
      fast: true,
      run: async () => {
        expectRejected(await rejected(withServer(echoServer({ type: "unregistered" }))), "unregistered");
        return pass();
      },
    },
    {
      id: "T-CFG-012",
      title: "A custom config is validated against its registered schema",
      how: 'as T-CFG-010 with `tools:"x"`: refused at load, without fetching the schema',
      run: async () => {
        const rejection = await rejected({
          ...base({ si: { type: "safeinputs", tools: "x" } }),
          customSchemas: { safeinputs: "https://schemas.example/si.json" },
        });
        expectRejected(rejection, "si");
        return departure(
          CUSTOM_ROW,
          "every custom-type server is refused at load, conforming or not; the schema is never fetched, so it does not decide anything",
        );
      },
    },
    {
      id: "T-CFG-013",
      title: "A custom type may not reuse a reserved name",
      how: "customSchemas keys `stdio` and `http`, and non-HTTPS URLs (`http://…`, `ftp://…`, `example.com/x`), each refused",
      fast: true,
      run: async () => {
        const custom = (schemas: Record<string, string>) => ({ ...withGateway({}), customSchemas: schemas });
        await allRejected([
          ["stdio", custom({ stdio: "https://schemas.example/s.json" }), ["stdio"]],
          ["http", custom({ http: "https://schemas.example/s.json" }), ["http"]],
          ["http:// URL", custom({ t1: "http://schemas.example/t1.json" }), ["t1"]],
          ["ftp:// URL", custom({ t1: "ftp://schemas.example/t1.json" }), ["t1"]],
          ["bare URL", custom({ t1: "example.com/x" }), ["t1"]],
        ]);
        return pass();
      },
    },
    {
      id: "T-CFG-014",
      title: "Custom schemas are fetched and cached",
      how: "two `t1` servers registered to an HTTPS URL: refused at load with no fetch",
      run: async () => {
        const rejection = await rejected({ ...base({ a: { type: "t1" }, b: { type: "t1" } }), customSchemas: { t1: "https://schemas.example/t1.json" } });
        expectRejected(rejection, "t1");
        return departure(CUSTOM_ROW, "no schema is fetched (so none is cached): a custom-type server is refused at load because it could never be launched");
      },
    },
    {
      id: "T-CFG-015",
      title: "A valid mount is accepted",
      how: 'READY with `mounts:["/tmp/gwt/in:/app/in:ro"]`; the recorded `docker run` carries `-v /tmp/gwt/in:/app/in:ro` before the image (the bind itself needs a container engine)',
      fast: true,
      run: async () => {
        const gateway = await startGateway(withServer(echoServer({ mounts: ["/tmp/gwt/in:/app/in:ro"] })));
        try {
          const run = gateway.dockerRuns()[0];
          check(run, "no docker run");
          const volume = run.args.indexOf("-v");
          check(
            volume !== -1 && run.args[volume + 1] === "/tmp/gwt/in:/app/in:ro" && volume < run.args.indexOf("compliance/echo"),
            `docker args: ${run.args.join(" ")}`,
          );
          return pass();
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-CFG-016",
      title: "A mount with a missing or invalid part is rejected",
      how: "`/a:/b`, `/a`, `/a::ro`, `:/b:ro`, `rel:/b:ro`, `/a:rel:ro`: each refused naming mounts",
      fast: true,
      run: async () => {
        await allRejected(
          ["/a:/b", "/a", "/a::ro", ":/b:ro", "rel:/b:ro", "/a:rel:ro"].map((mount) => [mount, withServer(echoServer({ mounts: [mount] })), ["mounts"]]),
        );
        return pass();
      },
    },
    {
      id: "T-CFG-017",
      title: "An invalid mount mode is rejected",
      how: "`/a:/b:rx`, `/a:/b:RO`, `/a:/b:readonly`: each refused naming mounts",
      fast: true,
      run: async () => {
        await allRejected(["/a:/b:rx", "/a:/b:RO", "/a:/b:readonly"].map((mount) => [mount, withServer(echoServer({ mounts: [mount] })), ["mounts"]]));
        return pass();
      },
    },
    {
      id: "T-CFG-018",
      title: "One stdio server can have several mounts",
      how: "three mounts (ro and rw): READY and the recorded `docker run` has all three `-v`",
      run: async () => {
        const mounts = ["/tmp/gwt/a:/a:ro", "/tmp/gwt/b:/b:rw", "/tmp/gwt/c:/c:ro"];
        const gateway = await startGateway(withServer(echoServer({ mounts })));
        try {
          const args = gateway.dockerRuns()[0]?.args ?? [];
          const volumes = args.flatMap((arg, index) => (arg === "-v" ? [args[index + 1]] : []));
          check(JSON.stringify(volumes) === JSON.stringify(mounts), `volumes ${JSON.stringify(volumes)}`);
          return pass();
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-CFG-019",
      title: "Mounts on an HTTP server are rejected",
      how: "an HTTP server with `mounts`: refused naming mounts",
      fast: true,
      run: async () => {
        expectRejected(await rejected(withServer({ type: "http", url: "http://127.0.0.1:9/mcp", mounts: ["/a:/b:ro"] })), "mounts");
        return pass();
      },
    },
  ];
  return { name: "Configuration (T-CFG)", cases };
}
