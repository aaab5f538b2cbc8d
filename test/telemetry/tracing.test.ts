// OpenTelemetry tracing (gateway.md §8, gateway-spec.md R-052…R-062): a gateway exports the
// reference's spans over OTLP/HTTP to a collector (an HTTPS receiver with the test's own CA),
// under one root span for its lifetime, joined to the configured or incoming trace context.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { applyOverrides, resolveFlagSettings, type ServeFlags } from "../../src/cli/serve-options.ts";
import type { GatewayConfig, OpenTelemetryConfig } from "../../src/config/index.ts";
import { startTracing } from "../../src/telemetry/tracing/index.ts";
import { resolveTracing } from "../../src/telemetry/tracing/settings.ts";
import { serveDemoInProcess } from "../support/demo-gateway.ts";
import { startGithubProxy } from "../support/github-proxy.ts";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions, type RunningGateway } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, freePort, stdioServer } from "../support/mcp-servers.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID = "00f067aa0ba902b7";
const SERVER = 2;
const CLIENT = 3;

let receiver: OtlpReceiver;
const clients: Client[] = [];
const gateways: RunningGateway[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(gateways.splice(0).map((gateway) => gateway.stop()));
});

afterAll(async () => {
  await receiver?.close();
});

function tracedConfig(opentelemetry: Partial<OpenTelemetryConfig>, endpoint = receiver.url): GatewayConfig {
  return gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT)], {
    agentId: "tracing-test-credential-0123",
    opentelemetry: { endpoint, serviceName: "mcp-gateway", ...opentelemetry },
  });
}

/** A gateway that trusts the receiver's CA, as OTEL_EXPORTER_OTLP_CERTIFICATE tells it to. */
async function tracedGateway(config: GatewayConfig, env: Record<string, string> = {}, collector: OtlpReceiver = receiver): Promise<RunningGateway> {
  const gateway = await runGateway(config, runtimeOptions(), { env: { OTEL_EXPORTER_OTLP_CERTIFICATE: collector.caPath, ...env } });
  gateways.push(gateway);
  return gateway;
}

async function agent(gateway: RunningGateway, headers: Record<string, string> = {}): Promise<Client> {
  const entry = gateway.entry("everything");
  const client = await connectAgent({ ...entry, headers: { ...entry.headers, ...headers } });
  clients.push(client);
  await client.listTools();
  return client;
}

/** Ends the gateway (its clients first): shutdown ends the root span and flushes every span. */
async function stop(gateway: RunningGateway): Promise<void> {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  gateways.splice(gateways.indexOf(gateway), 1);
  await gateway.stop();
}

const ofService = (service: string) => (span: ReceivedSpan) => span.resource["service.name"] === service;

describe("the spans a gateway exports", () => {
  it("exports the lifetime span, each request, tool call and backend call, nested, under the configured trace context", async () => {
    const gateway = await tracedGateway(tracedConfig({ serviceName: "nested-gw", traceId: TRACE_ID, spanId: PARENT_SPAN_ID }));
    const client = await agent(gateway);
    await client.callTool({ name: "echo", arguments: { message: "traced" } });
    await stop(gateway);

    const spans = receiver.spans.filter(ofService("nested-gw"));
    const root = spans.find((span) => span.name === "gateway.lifetime")!;
    expect(root).toMatchObject({ traceId: TRACE_ID, parentSpanId: PARENT_SPAN_ID });
    expect(spans.every((span) => span.traceId === TRACE_ID)).toBe(true);

    const call = spans.find((span) => span.name === "mcp.tool_call")!;
    expect(call.attributes).toMatchObject({
      "mcp.server": "everything",
      "mcp.method": "tools/call",
      "mcp.tool": "echo",
      "http.status_code": 200,
      "gen_ai.tool.name": "echo",
      "gen_ai.agent.id": "everything",
      "agent.digest": expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(call.startNanos <= call.endNanos).toBe(true);
    const request = spans.find((span) => span.spanId === call.parentSpanId)!;
    expect(request).toMatchObject({ name: "gateway.request", kind: SERVER, parentSpanId: root.spanId });
    expect(request.attributes).toMatchObject({
      "http.request.method": "POST",
      "url.path": "/mcp/everything",
      "gateway.tag": "routed:everything",
      "http.response.status_code": 200,
    });
    const backend = spans.find((span) => span.name === "gateway.backend.execute" && span.parentSpanId === call.spanId);
    expect(backend).toMatchObject({ kind: CLIENT, attributes: expect.objectContaining({ "gen_ai.tool.name": "echo" }) });
    expect(spans.some((span) => span.name === "tools/list" && span.attributes["mcp.server"] === "everything")).toBe(true);
    expect(receiver.requests.map((request) => request.body).join("\n")).not.toContain("tracing-test-credential-0123");
  });

  it.each([
    ["continues the trace a valid incoming traceparent names", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", true],
    ["keeps its own trace when the incoming traceparent is malformed", "00-not-a-trace-context-01", false],
  ])("%s", async (_name, traceparent, joins) => {
    const service = `joined-${String(joins)}-gw`;
    const gateway = await tracedGateway(tracedConfig({ serviceName: service, traceId: TRACE_ID }));
    const client = await agent(gateway, { traceparent });
    await client.callTool({ name: "echo", arguments: { message: "joined" } });
    await stop(gateway);

    const spans = receiver.spans.filter(ofService(service));
    const root = spans.find((span) => span.name === "gateway.lifetime")!;
    expect(root.traceId).toBe(TRACE_ID);
    expect(root.parentSpanId).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
    const call = spans.find((span) => span.name === "mcp.tool_call")!;
    const request = spans.find((span) => span.spanId === call.parentSpanId)!;
    expect(request.name).toBe("gateway.request");
    if (joins) expect(request).toMatchObject({ traceId: traceparent.split("-")[1], parentSpanId: traceparent.split("-")[2] });
    else expect(request).toMatchObject({ traceId: TRACE_ID, parentSpanId: root.spanId });
    expect(call.traceId).toBe(request.traceId);
  });

  it("sends OTEL_EXPORTER_OTLP_HEADERS, unescaped, with every export to the signal path", async () => {
    const gateway = await tracedGateway(tracedConfig({ serviceName: "headers-gw" }), { OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Bearer%20t0k,X-Custom=v" });
    const before = receiver.requests.length;
    await agent(gateway);
    await stop(gateway);

    const exports = receiver.requests.slice(before);
    expect(exports.length).toBeGreaterThan(0);
    for (const request of exports) {
      expect(request).toMatchObject({ path: "/v1/traces", headers: expect.objectContaining({ authorization: "Bearer t0k", "x-custom": "v" }) });
    }
  });

  it("keeps each gateway's spans in its own provider when two run in one process", async () => {
    const second = await startOtlpReceiver();
    try {
      const first = await tracedGateway(tracedConfig({ serviceName: "first-gw" }));
      const other = await tracedGateway(tracedConfig({ serviceName: "second-gw" }, second.url), {}, second);
      await agent(first);
      await agent(other);
      await Promise.all([first.stop(), other.stop()]);
      gateways.splice(0);
      expect(new Set(receiver.spans.filter(ofService("first-gw")).map((span) => span.name))).toContain("gateway.request");
      expect(new Set(second.spans.map((span) => span.resource["service.name"]))).toEqual(new Set(["second-gw"]));
      expect(second.spans.some((span) => span.name === "gateway.request")).toBe(true);
    } finally {
      await second.close();
    }
  });

  it("exports nothing at sample rate 0, and says at startup whether tracing is on", async () => {
    const quiet = await tracedGateway(tracedConfig({ serviceName: "unsampled-gw", sampleRate: 0 }));
    await agent(quiet);
    await stop(quiet);
    expect(receiver.spans.filter(ofService("unsampled-gw"))).toEqual([]);
    expect(quiet.stderr()).toMatch(new RegExp(`OpenTelemetry tracing enabled: endpoint=${receiver.url}/v1/traces, service=unsampled-gw, sampleRate=0\\.00`));

    const off = await runGateway(gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT)]));
    gateways.push(off);
    expect(off.stderr()).toContain("OpenTelemetry tracing disabled (no OTLP endpoint configured)");
  });
});

describe("a collector that fails", () => {
  it.each([
    ["refuses connections", "closed"],
    ["answers 500", "500"],
  ] as const)("does not touch the calls when it %s, and a failed export is a warning", async (_name, failure) => {
    const failing = await startOtlpReceiver();
    try {
      let endpoint = failing.url;
      if (failure === "closed") endpoint = `https://127.0.0.1:${await freePort()}`;
      else failing.answerWith(500);
      const gateway = await tracedGateway(tracedConfig({ serviceName: `failing-${failure}` }, endpoint), {}, failing);
      const client = await agent(gateway);
      for (let call = 0; call < 10; call++) {
        const started = Date.now();
        const result = await client.callTool({ name: "echo", arguments: { message: `call ${call}` } });
        expect(JSON.stringify(result.content)).toContain(`call ${call}`);
        expect(Date.now() - started).toBeLessThan(2_000);
      }
      await stop(gateway);
      if (failure === "500") {
        expect(gateway.logger.lines).toContainEqual(
          expect.objectContaining({ level: "warn", message: expect.stringContaining(`OpenTelemetry export to ${failing.url}/v1/traces failed`) }),
        );
      }
    } finally {
      await failing.close();
    }
  });
});

describe("DIFC decisions in the trace", () => {
  it("records a refused write as a difc.access_denied event and a difc.decision span, naming the agent only by digest", async () => {
    const demo = await serveDemoInProcess("propagate", {
      configure: (config) => {
        config.gateway.opentelemetry = { endpoint: receiver.url, serviceName: "difc-gw" };
      },
      gateway: { env: { OTEL_EXPORTER_OTLP_CERTIFICATE: receiver.caPath } },
    });
    try {
      await demo.readPrivateThenWritePublic();
    } finally {
      await demo.close();
    }

    const spans = receiver.spans.filter(ofService("difc-gw"));
    const write = spans.find((span) => span.name === "mcp.tool_call" && span.attributes["mcp.tool"] === "create_entities")!;
    expect(write.attributes).toMatchObject({ "mcp.server": "memory", "http.status_code": 403, "mcp.response.status": 403 });
    expect(write.status.code).toBe(2);
    expect(write.events).toContainEqual({ name: "difc.access_denied", attributes: { reason: "secrecy" } });
    const decision = spans.find((span) => span.name === "difc.decision" && span.parentSpanId === write.spanId)!;
    expect(decision.attributes).toMatchObject({
      "mcp.server": "memory",
      "mcp.tool": "create_entities",
      "difc.mode": expect.stringMatching(/^(strict|filter|propagate)$/),
      "difc.decision": "denied",
      "difc.reason": "secrecy",
      "agent.digest": expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    const read = spans.find((span) => span.name === "mcp.tool_call" && span.attributes["mcp.tool"] === "read_text_file")!;
    const guardCalls = spans.filter((span) => span.parentSpanId === read.spanId && span.name.startsWith("guard.")).map((span) => span.name);
    expect(guardCalls).toEqual(expect.arrayContaining(["guard.label_resource", "guard.label_response"]));
    expect(receiver.requests.map((request) => request.body).join("\n")).not.toContain(demo.gateway.agentId);
  });
});

describe("the proxy's spans", () => {
  it("traces each read as proxy.request holding its DIFC pipeline and upstream call, and a refusal as difc.access_denied", async () => {
    const started = await startTracing(
      { endpoint: receiver.url, serviceName: "proxy-gw" },
      { OTEL_EXPORTER_OTLP_CERTIFICATE: receiver.caPath },
      {
        version: "test",
        rootSpanName: "proxy.lifetime",
        report: () => undefined,
      },
    );
    const env = await startGithubProxy({ "allow-only": { repos: "public", "min-integrity": "approved" } }, { guardsMode: "filter", tracing: started.tracing! });
    try {
      const read = await fetch(`${env.proxy.url}/repos/octo/pub/issues`, { headers: { Authorization: "token client-token" } });
      expect(read.status).toBe(200);
      const refused = await fetch(`${env.proxy.url}/repos/octo/priv/contents/README.md`, { headers: { Authorization: "token client-token" } });
      expect(refused.status).toBe(403);
    } finally {
      await env.close();
      await started.tracing!.shutdown();
    }

    const spans = receiver.spans.filter(ofService("proxy-gw"));
    const requestFor = (path: string) => spans.find((span) => span.name === "proxy.request" && span.attributes["http.route"] === path)!;
    const childOf = (parent: ReceivedSpan, name: string) => spans.find((span) => span.name === name && span.parentSpanId === parent.spanId)!;

    const read = requestFor("/repos/{owner}/{repo}/issues");
    expect(read).toMatchObject({ kind: SERVER, attributes: expect.objectContaining({ "http.request.method": "GET", "http.response.status_code": 200 }) });
    const pipeline = childOf(read, "proxy.difc_pipeline");
    expect(pipeline.attributes).toMatchObject({ "gen_ai.tool.name": "list_issues", "http.route": "/repos/{owner}/{repo}/issues" });
    expect(pipeline.events.map((event) => event.name)).toContain("difc.pre_phases_complete");
    expect(childOf(pipeline, "proxy.backend.forward")).toMatchObject({
      kind: CLIENT,
      attributes: expect.objectContaining({ "server.address": new URL(env.github.url).host, "http.response.status_code": 200, "rate_limit.hit": false }),
    });

    const refusal = requestFor("/repos/{owner}/{repo}/contents/{path}");
    expect(refusal.attributes["http.response.status_code"]).toBe(403);
    expect(childOf(refusal, "proxy.difc_pipeline").events).toContainEqual({ name: "difc.access_denied", attributes: { reason: "difc_forbidden" } });
    const root = spans.find((span) => span.name === "proxy.lifetime")!;
    expect(read.parentSpanId).toBe(root.spanId);
  });
});

describe("tracing settings", () => {
  it.each([
    ["appends the signal path", { endpoint: "https://c.example:4318" }, {}, [{ url: "https://c.example:4318/v1/traces", headers: {} }]],
    ["keeps a signal path already there", { endpoint: "https://c.example/otlp/v1/traces" }, {}, [{ url: "https://c.example/otlp/v1/traces", headers: {} }]],
    [
      "takes OTEL_EXPORTER_OTLP_HEADERS with values unescaped",
      { endpoint: "http://c.example" },
      { OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Bearer%20x, X-A = b " },
      [{ url: "http://c.example/v1/traces", headers: { Authorization: "Bearer x", "X-A": "b" } }],
    ],
    [
      "prefers the configured headers, verbatim, over the variable",
      { endpoint: "http://c.example", headers: "k=a%20b" },
      { OTEL_EXPORTER_OTLP_HEADERS: "other=1" },
      [{ url: "http://c.example/v1/traces", headers: { k: "a%20b" } }],
    ],
    [
      "fans out to a comma list from GH_AW_OTLP_ENDPOINTS",
      { endpoint: "https://ignored.example" },
      { GH_AW_OTLP_ENDPOINTS: "https://a.example, https://b.example/v1/traces" },
      [
        { url: "https://a.example/v1/traces", headers: {} },
        { url: "https://b.example/v1/traces", headers: {} },
      ],
    ],
    [
      "gives each JSON fan-out endpoint its own headers over the shared ones",
      undefined,
      { GH_AW_OTLP_ENDPOINTS: '[{"url":"https://a.example","headers":"k=own"},{"url":"https://b.example"}]', OTEL_EXPORTER_OTLP_HEADERS: "k=shared" },
      [
        { url: "https://a.example/v1/traces", headers: { k: "own" } },
        { url: "https://b.example/v1/traces", headers: { k: "shared" } },
      ],
    ],
  ] as const)("%s", (_name, config, env, endpoints) => {
    const resolved = resolveTracing(config && { serviceName: "mcp-gateway", ...config }, env);
    expect(resolved.settings?.endpoints).toEqual(endpoints);
  });

  it.each([
    ["no endpoint anywhere", undefined, {}, undefined],
    ["a sample rate above 1", { sampleRate: 3 }, {}, 1],
    ["a sample rate below 0", { sampleRate: -0.5 }, {}, 1],
    ["a sample rate in range", { sampleRate: 0.25 }, {}, 0.25],
  ] as const)("resolves the sample rate of %s", (_name, config, env, rate) => {
    const resolved = resolveTracing(config && { endpoint: "https://c.example", serviceName: "s", ...config }, env);
    expect(resolved.settings?.sampleRate).toBe(rate);
  });

  it.each([
    ["a gRPC endpoint", "grpc://c.example:4317", /uses grpc/],
    ["an endpoint without a scheme", "collector:4318", /OTLP\/HTTP needs http/],
    ["no URL at all", "not a url", /is not a URL/],
  ])("refuses %s, naming it", (_name, endpoint, message) => {
    expect(() => resolveTracing({ endpoint, serviceName: "s" }, {})).toThrow(message);
  });

  it("ignores a span id without a trace id, with a warning", () => {
    const resolved = resolveTracing({ endpoint: "https://c.example", serviceName: "s", spanId: PARENT_SPAN_ID }, {});
    expect(resolved.settings?.parent).toBeUndefined();
    expect(resolved.warnings).toEqual(["opentelemetry spanId is set without traceId: it is ignored"]);
  });

  it("makes up a random parent span id when only the trace id is configured", () => {
    const ids = [1, 2].map(() => resolveTracing({ endpoint: "https://c.example", serviceName: "s", traceId: TRACE_ID }, {}).settings?.parent);
    expect(ids[0]).toMatchObject({ traceId: TRACE_ID, spanId: expect.stringMatching(/^(?!0{16})[0-9a-f]{16}$/) });
    expect(ids[0]!.spanId).not.toBe(ids[1]!.spanId);
  });

  it.each([
    ["the endpoint flag turns tracing on", { otlpEndpoint: "https://f.example" }, {}, undefined, { endpoint: "https://f.example", serviceName: "mcp-gateway" }],
    [
      "the variables apply when they differ from the defaults",
      {},
      { OTEL_EXPORTER_OTLP_ENDPOINT: "https://e.example", OTEL_SERVICE_NAME: "from-env" },
      undefined,
      { endpoint: "https://e.example", serviceName: "from-env" },
    ],
    [
      "the flags win over the configuration",
      { otlpServiceName: "flag-name", otlpSampleRate: "0.5" },
      {},
      { endpoint: "https://c.example", serviceName: "config-name", traceId: TRACE_ID },
      { endpoint: "https://c.example", serviceName: "flag-name", sampleRate: 0.5, traceId: TRACE_ID },
    ],
    ["nothing configured stays off", {}, {}, undefined, undefined],
  ] as const)("applies the OTLP flags: %s", (_name, flags, env, configured, expected) => {
    const serveFlags: ServeFlags = { configStdin: true, ...flags };
    const config = gatewayConfig([], configured ? { opentelemetry: configured } : {});
    const { config: resolved } = applyOverrides(config, resolveFlagSettings(serveFlags, env), serveFlags, env);
    expect(resolved.gateway.opentelemetry).toEqual(expected);
  });

  it("refuses a sample rate that is not a number, naming the flag", () => {
    expect(() => resolveFlagSettings({ configStdin: true, otlpSampleRate: "often" }, {})).toThrow(/invalid --otlp-sample-rate "often"/);
  });
});
