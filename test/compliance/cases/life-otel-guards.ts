// §2.9 Lifecycle tests (T-LIFE-001…007), §2.10 OpenTelemetry (T-OTEL-001…010) and §2.11 guard
// policy (T-GP-001…010).
import { connect, createServer } from "node:net";
import { freePort } from "../../support/mcp-servers.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../../support/otlp-receiver.ts";
import { rawRequest } from "../../support/raw-http.ts";
import {
  AID,
  alive,
  base,
  check,
  echoServer,
  expectRejected,
  health,
  IMAGES,
  McpSession,
  notCheckable,
  pass,
  poll,
  rejected,
  resultText,
  startGateway,
  type CaseGroup,
  type ComplianceCase,
  type Gateway,
  type RpcReply,
} from "../harness.ts";

/** Two POST /close written back to back on one connection; the statuses in the order answered. */
function pipelinedCloses(baseUrl: string, auth: string): Promise<number[]> {
  const url = new URL(baseUrl);
  const request = (last: boolean) =>
    `POST /close HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: ${auth}\r\nContent-Length: 0\r\nConnection: ${last ? "close" : "keep-alive"}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = "";
    socket.setEncoding("utf8");
    const statuses = () => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /gu)].map((match) => Number(match[1]));
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (statuses().length === 2) socket.destroy();
    });
    socket.on("close", () => resolve(statuses()));
    socket.on("error", reject);
    socket.write(request(false) + request(true));
  });
}

async function portFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

const allDead = (gateway: Gateway, withinMs: number) =>
  poll(async () => (gateway.dockerRuns().every((run) => !alive(run.pid)) ? true : undefined), withinMs, 200);

export function lifeGroup(): CaseGroup {
  // LIFE-006/007 share one run: a 3 s call in flight, /close, and a new request during the drain.
  let drain: Promise<{ sleep: RpcReply; close: Response; during: { status: number; body: string }; exit: number }> | undefined;
  const drainRun = () =>
    (drain ??= (async () => {
      const gateway = await startGateway(base({ s1: echoServer() }));
      const session = await McpSession.open(gateway, "s1");
      const sleep = session.callTool("trigger-long-running-operation", { duration: 3, steps: 1 }, "sleep");
      // The spec's input: /close 500 ms after the call started.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const close = await fetch(`${gateway.baseUrl}/close`, { method: "POST", headers: { Authorization: AID } });
      const during = await rawRequest(
        gateway.baseUrl,
        "POST",
        "/mcp/s1",
        { Authorization: AID, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
        JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "echo", arguments: { message: "late" } } }),
      ).catch((error: unknown) => ({ status: 0, body: `connection failed: ${String(error)}` }));
      return { sleep: await sleep, close, during, exit: await gateway.exited };
    })());

  const cases: ComplianceCase[] = [
    {
      id: "T-LIFE-001",
      title: "`/close` requires authentication",
      how: "POST /close without Authorization and with `wrong`: 401 both, /health still 200",
      fast: true,
      run: async () => {
        const gateway = await startGateway(base({ s1: echoServer() }));
        try {
          for (const headers of [{}, { Authorization: "wrong" }] as Record<string, string>[]) {
            const answer = await fetch(`${gateway.baseUrl}/close`, { method: "POST", headers });
            check(answer.status === 401, `HTTP ${answer.status}`);
          }
          check((await health(gateway)).status === 200, "the gateway stopped");
          return pass();
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-LIFE-002",
      title: "`/close` success response",
      how: 'two stdio servers started: POST /close → 200 application/json `{"status":"closed","message":"Gateway shutdown initiated","serversTerminated":2}`; exit 0 within 45 s',
      fast: true,
      run: async () => {
        const gateway = await startGateway(base({ s1: echoServer(), s2: echoServer() }));
        const answer = await fetch(`${gateway.baseUrl}/close`, { method: "POST", headers: { Authorization: AID } });
        const body = (await answer.json()) as Record<string, unknown>;
        check(answer.status === 200 && (answer.headers.get("content-type") ?? "").startsWith("application/json"), `HTTP ${answer.status}`);
        check(body.status === "closed" && body.message === "Gateway shutdown initiated" && body.serversTerminated === 2, `body ${JSON.stringify(body)}`);
        const code = await Promise.race([gateway.exited, new Promise<string>((resolve) => setTimeout(() => resolve("still running"), 45_000).unref())]);
        check(code === 0, `exit ${code}`);
        return pass();
      },
    },
    {
      id: "T-LIFE-003",
      title: "`/close` is idempotent",
      how: 'two POST /close pipelined on one connection: 200 then 410 `{"error":"Gateway has already been closed"}`; and one more on a new connection while draining: 410',
      fast: true,
      run: async () => {
        const gateway = await startGateway(base({ s1: echoServer() }));
        try {
          const statuses = await pipelinedCloses(gateway.baseUrl, AID);
          check(JSON.stringify(statuses) === JSON.stringify([200, 410]), `pipelined: ${JSON.stringify(statuses)}`);
          const again = await fetch(`${gateway.baseUrl}/close`, { method: "POST", headers: { Authorization: AID } }).then(
            async (answer) => ({ status: answer.status, body: await answer.text() }),
            () => undefined,
          );
          if (again) check(again.status === 410 && JSON.parse(again.body).error === "Gateway has already been closed", `later: ${again.status} ${again.body}`);
          else check(gateway.child.exitCode !== null || (await gateway.exited) === 0, "a refused /close while the gateway still ran");
          check((await gateway.exited) === 0, "exit code not 0");
          return pass();
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-LIFE-004",
      title: "Containers are stopped on close",
      how: "s1 (echo) and s2 (a server that ignores SIGTERM) started, then /close: after exit no recorded `docker run` process is left (s2 killed within about 10 s), and mcp-gateway.log has one termination line per server",
      run: async () => {
        const gateway = await startGateway(base({ s1: echoServer(), s2: { container: IMAGES.noterm } }));
        await (await McpSession.open(gateway, "s2")).callTool("echo", { message: "up" });
        const closing = Date.now();
        await fetch(`${gateway.baseUrl}/close`, { method: "POST", headers: { Authorization: AID } });
        check((await gateway.exited) === 0, "exit code not 0");
        check(await allDead(gateway, 12_000 - (Date.now() - closing)), "a server process outlived the gateway by 10 s");
        const log = gateway.gatewayLog();
        for (const server of ["s1", "s2"]) {
          const lines = log.split("\n").filter((line) => new RegExp(`Terminated server ${server}$`).test(line));
          check(lines.length === 1, `${lines.length} termination lines for ${server}`);
        }
        return pass(`all gone ${Date.now() - closing} ms after /close`);
      },
    },
    {
      id: "T-LIFE-005",
      title: "Resources are cleaned up on close",
      how: "as LIFE-002: exit 0, the port can be bound again, no recorded `docker run` process is left",
      run: async () => {
        const gateway = await startGateway(base({ s1: echoServer(), s2: echoServer() }));
        check((await gateway.stop()) === 0, "exit code not 0");
        check(await portFree(gateway.port), "the port is still taken");
        check(await allDead(gateway, 10_000), "a server process is left");
        return pass("anonymous volumes and container labels need a container engine; the stand-in's processes stand for the containers");
      },
    },
    {
      id: "T-LIFE-006",
      title: "In-flight requests finish during shutdown",
      how: "a 3 s call on s1, POST /close 500 ms later: /close 200, the call completes with 200 and its normal result, exit 0",
      run: async () => {
        const { sleep, close, exit } = await drainRun();
        check(close.status === 200, `/close ${close.status}`);
        check(sleep.status === 200 && /completed/i.test(resultText(sleep)), `the call: ${sleep.status} ${sleep.text.slice(0, 200)}`);
        check(exit === 0, `exit ${exit}`);
        return pass();
      },
    },
    {
      id: "T-LIFE-007",
      title: "New requests are refused after close starts",
      how: 'during LIFE-006\'s drain, an RPC on a new connection: 503 `{"error":"Gateway is shutting down"}`',
      fast: true,
      run: async () => {
        const { during } = await drainRun();
        check(during.status === 503 && JSON.parse(during.body).error === "Gateway is shutting down", `HTTP ${during.status} ${during.body.slice(0, 200)}`);
        return pass();
      },
    },
  ];
  return { name: "Lifecycle (T-LIFE)", cases, cleanup: async () => void (await drain?.catch(() => undefined)) };
}

/** The spans of one gateway run: everything its service exported, once it has stopped (shutdown flushes). */
const ofService = (receiver: OtlpReceiver, service: string) => receiver.spans.filter((span) => span.resource["service.name"] === service);

/** Whether `span` descends from `ancestor` among `spans`. */
function descends(spans: ReceivedSpan[], span: ReceivedSpan, ancestor: ReceivedSpan): boolean {
  const byId = new Map(spans.map((each) => [each.spanId, each]));
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId)) if (parent === ancestor) return true;
  return false;
}

export function otelGroup(): CaseGroup {
  let collector: Promise<OtlpReceiver> | undefined;
  const receiver = () => (collector ??= startOtlpReceiver());
  /** MOCK_OTLP's endpoint and the variable that makes the gateway trust its test CA. */
  const otlp = async (extra: Record<string, unknown> = {}) => {
    const mock = await receiver();
    return { mock, gateway: { opentelemetry: { endpoint: `${mock.url}/v1/traces`, ...extra } }, env: { OTEL_EXPORTER_OTLP_CERTIFICATE: mock.caPath } };
  };
  /** Starts a traced gateway with s1, runs `calls` echo calls, stops it; the spans of its service. */
  const tracedRun = async (serviceName: string, extra: Record<string, unknown> = {}, env: Record<string, string> = {}) => {
    const { mock, gateway: settings, env: trust } = await otlp({ serviceName, ...extra });
    const gateway = await startGateway(base({ s1: echoServer() }, settings), { env: { ...trust, ...env } });
    try {
      const session = await McpSession.open(gateway, "s1");
      const reply = await session.callTool("echo", { message: "traced" });
      check(reply.status === 200 && resultText(reply).includes("traced"), `echo: HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
    } finally {
      check((await gateway.stop()) === 0, "the gateway did not exit cleanly");
    }
    return { spans: ofService(mock, serviceName), mock, gateway };
  };
  const rootOf = (spans: ReceivedSpan[]) => {
    const root = spans.find((span) => span.name === "gateway.lifetime");
    check(root, `no root span among ${spans.map((span) => span.name).join(", ")}`);
    return root;
  };

  const cases: ComplianceCase[] = [
    {
      id: "T-OTEL-001",
      title: "Starts without OTel",
      how: "no `opentelemetry`: READY, an echo call, /close; MOCK_OTLP got no request",
      run: async () => {
        const mock = await receiver();
        const before = mock.requests.length;
        const gateway = await startGateway(base({ s1: echoServer() }), { env: { OTEL_EXPORTER_OTLP_CERTIFICATE: mock.caPath } });
        try {
          check((await (await McpSession.open(gateway, "s1")).callTool("echo", { message: "x" })).status === 200, "echo failed");
          check(gateway.output.stderr.includes("OpenTelemetry tracing disabled (no OTLP endpoint configured)"), "no startup line saying tracing is off");
        } finally {
          await gateway.stop();
        }
        check(mock.requests.length === before, `MOCK_OTLP got ${mock.requests.length - before} request(s)`);
        return pass();
      },
    },
    {
      id: "T-OTEL-002",
      title: "Starts with a valid endpoint",
      how: "`endpoint` = http://127.0.0.1:<MOCK_OTLP>/v1/traces (and the https:// variant): READY, and MOCK_OTLP receives the spans",
      run: async () => {
        const plain = await startOtlpReceiver({ plain: true });
        try {
          for (const [mock, trust] of [
            [plain, {}],
            [await receiver(), { OTEL_EXPORTER_OTLP_CERTIFICATE: (await receiver()).caPath }],
          ] as const) {
            const serviceName = `otel-002-${mock.url.slice(0, 5)}`;
            const gateway = await startGateway(base({ s1: echoServer() }, { opentelemetry: { endpoint: `${mock.url}/v1/traces`, serviceName } }), {
              env: trust,
            });
            await gateway.stop();
            check(ofService(mock, serviceName).length > 0, `${mock.url}: no spans received`);
          }
          return pass();
        } finally {
          await plain.close();
        }
      },
    },
    {
      id: "T-OTEL-003",
      title: "A missing `endpoint` is rejected",
      how: "configuration validation: refused naming endpoint",
      fast: true,
      run: async () => {
        expectRejected(await rejected(base({ s1: echoServer() }, { opentelemetry: { serviceName: "x" } })), "endpoint");
        return pass();
      },
    },
    {
      id: "T-OTEL-004",
      title: "A non-HTTP(S) endpoint is rejected",
      how: "configuration validation: grpc://, ftp:// and a bare host:port refused naming endpoint",
      fast: true,
      run: async () => {
        for (const endpoint of ["grpc://c:4317", "ftp://c/x", "collector:4318"]) {
          expectRejected(await rejected(base({ s1: echoServer() }, { opentelemetry: { endpoint } })), "endpoint");
        }
        return pass();
      },
    },
    {
      id: "T-OTEL-005",
      title: "A span is emitted per tool call",
      how: "`tools/call echo` on s1: MOCK_OTLP receives a span with mcp.server, mcp.method, mcp.tool, http.status_code 200, start ≤ end, under the root span",
      fast: true,
      run: async () => {
        const { spans } = await tracedRun("otel-005");
        const root = rootOf(spans);
        const call = spans.find((span) => span.name === "mcp.tool_call" && span.attributes["mcp.tool"] === "echo");
        check(call, `no tool call span among ${spans.map((span) => span.name).join(", ")}`);
        const { attributes } = call;
        check(attributes["mcp.server"] === "s1" && attributes["http.status_code"] === 200, `attributes ${JSON.stringify(attributes)}`);
        check(call.startNanos <= call.endNanos, "the span ends before it starts");
        check(descends(spans, call, root), "the tool call span is not under the root span");
        return pass(`${call.name} under ${spans.find((span) => span.spanId === call.parentSpanId)?.name} under ${root.name}`);
      },
    },
    {
      id: "T-OTEL-006",
      title: "Export uses `OTEL_EXPORTER_OTLP_HEADERS`",
      how: "env `Authorization=Bearer t0k,X-Custom=v`: every export request carries both; (P) a JSON `opentelemetry.headers` is refused",
      run: async () => {
        const mock = await receiver();
        const before = mock.requests.length;
        await tracedRun("otel-006", {}, { OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Bearer t0k,X-Custom=v" });
        const exports = mock.requests.slice(before);
        check(exports.length > 0, "no export request");
        for (const { headers } of exports) {
          check(headers["authorization"] === "Bearer t0k" && headers["x-custom"] === "v", `headers ${JSON.stringify(headers)}`);
        }
        expectRejected(await rejected(base({ s1: echoServer() }, { opentelemetry: { endpoint: `${mock.url}/v1/traces`, headers: "a=b" } })), "headers");
        return pass();
      },
    },
    {
      id: "T-OTEL-007",
      title: "W3C parent context is propagated",
      how: "traceId 4bf92f35…, spanId 00f067aa0ba902b7: every span has that trace id, and the root span's parent is 00f067aa0ba902b7",
      run: async () => {
        const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const { spans } = await tracedRun("otel-007", { traceId, spanId: "00f067aa0ba902b7" });
        check(spans.length > 1 && spans.every((span) => span.traceId === traceId), `trace ids ${[...new Set(spans.map((span) => span.traceId))].join(", ")}`);
        const root = rootOf(spans);
        check(root.parentSpanId === "00f067aa0ba902b7", `root parent ${root.parentSpanId}`);
        return pass();
      },
    },
    {
      id: "T-OTEL-008",
      title: "A random span ID is generated when only `traceId` is given",
      how: "traceId only, two runs: the spans carry it; the root's parent id is 16 hex, not all zeros, and differs between the runs",
      run: async () => {
        const traceId = "0af7651916cd43dd8448eb211c80319c";
        const parents: string[] = [];
        for (const run of [1, 2]) {
          const { spans } = await tracedRun(`otel-008-${run}`, { traceId });
          check(
            spans.every((span) => span.traceId === traceId),
            "a span with another trace id",
          );
          parents.push(rootOf(spans).parentSpanId);
        }
        check(
          parents.every((id) => /^(?!0{16}$)[0-9a-f]{16}$/.test(id)),
          `parent ids ${parents.join(", ")}`,
        );
        check(parents[0] !== parents[1], "the same parent span id twice");
        return pass();
      },
    },
    {
      id: "T-OTEL-009",
      title: "Export failures do not affect requests",
      how: "endpoint = a closed port (variant: MOCK_OTLP answering 500): READY, 10 echo calls succeed within 2 s each, no client error mentions OTel",
      run: async () => {
        const failing = await startOtlpReceiver();
        failing.answerWith(500);
        try {
          for (const endpoint of [`https://127.0.0.1:${await freePort()}/v1/traces`, `${failing.url}/v1/traces`]) {
            const gateway = await startGateway(base({ s1: echoServer() }, { opentelemetry: { endpoint } }), {
              env: { OTEL_EXPORTER_OTLP_CERTIFICATE: failing.caPath },
            });
            try {
              const session = await McpSession.open(gateway, "s1");
              for (let call = 0; call < 10; call++) {
                const started = Date.now();
                const reply = await session.callTool("echo", { message: `call ${call}` });
                check(reply.status === 200 && resultText(reply).includes(`call ${call}`), `call ${call}: HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
                check(!/otel|opentelemetry|otlp/i.test(reply.text), `call ${call} mentions OpenTelemetry`);
                check(Date.now() - started < 2_000, `call ${call} took ${Date.now() - started} ms`);
              }
            } finally {
              await gateway.stop();
            }
          }
          return pass();
        } finally {
          await failing.close();
        }
      },
    },
    {
      id: "T-OTEL-010",
      title: "`serviceName` sets the resource attribute",
      how: '`serviceName: "my-gw"`, and omitted: the spans\' resource service.name is "my-gw", then "mcp-gateway"',
      run: async () => {
        const named = await tracedRun("my-gw");
        check(named.spans.length > 0, "no spans with service.name my-gw");
        const { mock, gateway: settings, env } = await otlp({ traceId: "5bf92f3577b34da6a3ce929d0e0e4736" });
        const gateway = await startGateway(base({ s1: echoServer() }, settings), { env });
        await gateway.stop();
        const unnamed = mock.spans.filter((span) => span.traceId === "5bf92f3577b34da6a3ce929d0e0e4736");
        check(unnamed.length > 0 && unnamed.every((span) => span.resource["service.name"] === "mcp-gateway"), "service.name is not mcp-gateway when omitted");
        return pass();
      },
    },
  ];
  return { name: "OpenTelemetry (T-OTEL)", cases, cleanup: async () => void (await (await collector)?.close()) };
}

const GITHUB_GUARD =
  "needs a GitHub guard labelling items from GitHub metadata and a GitHub MCP server (or a mock of one and of the REST API); flowgate ships no GitHub guard (the reference's is a separate WASM module). The integrity rules themselves are checked as decision vectors in test/difc/policy-vectors.test.ts";

export function gpGroup(): CaseGroup {
  const gp: [string, string][] = [
    ["T-GP-001", "`blocked-users` always denies"],
    ["T-GP-002", "`trusted-users` promotes to approved"],
    ["T-GP-003", "`approval-labels` promotes to approved"],
    ["T-GP-004", "A refusal label gives `none`"],
    ["T-GP-005", "Refusal beats approval"],
    ["T-GP-006", "Refusal beats trusted-users"],
    ["T-GP-007", "Blocked beats refusal"],
    ["T-GP-008", "An empty refusal list is a no-op"],
    ["T-GP-009", "`refusal-labels` as an expression"],
    ["T-GP-010", "`min-integrity: none`"],
  ];
  const cases = gp.map(([id, title]): ComplianceCase => ({
    id,
    title,
    how: "black-box: a GitHub server behind the GitHub guard",
    run: async () => notCheckable(GITHUB_GUARD),
  }));
  return { name: "Guard policy (T-GP)", cases };
}
