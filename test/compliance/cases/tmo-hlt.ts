// §2.5 Timeout tests (T-TMO-001…005) and §2.6 Health tests (T-HLT-001…009).
import { startEverythingHttp } from "../../support/mcp-servers.ts";
import { mainFixture } from "../fixtures.ts";
import {
  alive,
  base,
  check,
  echoServer,
  health,
  IMAGES,
  logLine,
  McpSession,
  pass,
  poll,
  resultText,
  serverStatus,
  startGateway,
  type CaseGroup,
  type ComplianceCase,
  type Gateway,
  type RpcReply,
} from "../harness.ts";

const TOOL_TIMEOUT_ROW = "`gateway.toolTimeout` minimum";
const SPEC_VERSION_ROW = "`/health` `specVersion`";

interface Timed {
  reply: RpcReply;
  ms: number;
}

const timed = async (call: Promise<RpcReply>): Promise<Timed> => {
  const started = Date.now();
  const reply = await call;
  return { reply, ms: Date.now() - started };
};

const errorOf = (reply: RpcReply) => reply.message?.error as { code?: number; message?: string; data?: { server?: string } } | undefined;

export function tmoGroup(): CaseGroup {
  // One gateway for TMO-002…005: toolTimeout 10 (flowgate's minimum, as the reference's), a sleeping
  // call of 15 s, a half-written answer, and echoes alongside.
  let load: Promise<{ gateway: Gateway; sleeps: Timed[]; echoes: Timed[]; half: Timed; after: RpcReply }> | undefined;
  const timeouts = () =>
    (load ??= (async () => {
      const gateway = await startGateway(base({ s1: echoServer(), half: { container: IMAGES.half } }, { toolTimeout: 10 }));
      const sessions = await Promise.all(Array.from({ length: 5 }, () => McpSession.open(gateway, "s1")));
      const half = await McpSession.open(gateway, "half");
      const sleepsPending = sessions.map((session) => timed(session.callTool("trigger-long-running-operation", { duration: 15, steps: 1 })));
      const halfPending = timed(half.callTool("echo", { message: "cut" }));
      const echoes = await Promise.all(sessions.map((session, index) => timed(session.callTool("echo", { message: `e${index}` }))));
      const sleeps = await Promise.all(sleepsPending);
      const after = await sessions[0]!.callTool("echo", { message: "next" });
      return { gateway, sleeps, echoes, half: await halfPending, after };
    })());
  const cases: ComplianceCase[] = [
    {
      id: "T-TMO-001",
      title: "`startupTimeout` is enforced",
      how: "startupTimeout 2 and a server that never answers initialize (the stand-in's silent image): the first call fails within 5 s with -32002 and the server's process is killed",
      fast: true,
      run: async () => {
        const gateway = await startGateway(base({ s1: { container: IMAGES.silent } }, { startupTimeout: 2 }));
        try {
          const started = Date.now();
          const session = await McpSession.open(gateway, "s1");
          const reply = await session.request("tools/list");
          const ms = Date.now() - started;
          const error = errorOf(reply);
          check(error?.code === -32002 && /timeout/i.test(error.message ?? ""), `reply: ${reply.text.slice(0, 300)}`);
          check(ms < 5000, `took ${ms} ms`);
          const stillRunning = await poll(async () => (gateway.dockerRuns().some((run) => alive(run.pid)) ? undefined : false), 3000);
          check(stillRunning === false, "the silent server's process was not killed");
          return pass(`error after ${ms} ms`);
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-TMO-002",
      title: "`toolTimeout` is enforced",
      how: "toolTimeout 10 (flowgate's minimum) and a 15 s call: a -32002 error within 12 s; the next echo succeeds",
      run: async () => {
        const { sleeps, after } = await timeouts();
        const first = sleeps[0]!;
        check(errorOf(first.reply)?.code === -32002 && first.ms < 12_000, `after ${first.ms} ms: ${first.reply.text.slice(0, 200)}`);
        check(resultText(after).includes("next"), "the next echo failed");
        return pass(
          `timed out after ${first.ms} ms; toolTimeout below 10 is refused (compatibility row “${TOOL_TIMEOUT_ROW}”), as in the reference, so the spec's 2 s is run as 10 s`,
        );
      },
    },
    {
      id: "T-TMO-003",
      title: "Timeout errors are informative",
      how: "the timeout errors of TMO-001/002 mention the timeout and carry `error.data.server`; mcp-gateway.log has a line with the server, tools/call and the elapsed time",
      run: async () => {
        const { gateway, sleeps } = await timeouts();
        const error = errorOf(sleeps[0]!.reply);
        check(/tim(e|ed) ?out/i.test(error?.message ?? "") && error?.data?.server === "s1", `error: ${JSON.stringify(error)}`);
        const line = await logLine(
          gateway,
          (text) => /s1/.test(text) && /tools\/call/.test(text) && /\d+ ?(ms|s)\b/.test(text) && /tim(e|ed) ?out/i.test(text),
        );
        check(line, "no log line with the server, tools/call, the elapsed time and the timeout");
        return pass();
      },
    },
    {
      id: "T-TMO-004",
      title: "A partial response times out",
      how: "a server that writes half of each tool result and stalls (the stand-in's half image), toolTimeout 10: a -32002 error after about 10 s, never a truncated body",
      run: async () => {
        const { half } = await timeouts();
        check(errorOf(half.reply)?.code === -32002 && half.ms < 12_000, `after ${half.ms} ms: ${half.reply.text.slice(0, 200)}`);
        return pass(`after ${half.ms} ms`);
      },
    },
    {
      id: "T-TMO-005",
      title: "Concurrent timeouts are independent",
      how: "5 parallel 15 s calls and 5 parallel echoes: the echoes succeed at once, each long call times out at about 10 s, /health stays healthy",
      run: async () => {
        const { gateway, sleeps, echoes } = await timeouts();
        check(
          echoes.every(({ reply, ms }, index) => resultText(reply).includes(`e${index}`) && ms < 3000),
          `echoes: ${echoes.map(({ ms }) => ms).join(", ")} ms`,
        );
        check(
          sleeps.every(({ reply, ms }) => errorOf(reply)?.code === -32002 && ms < 12_000),
          `long calls: ${sleeps.map(({ ms }) => ms).join(", ")} ms`,
        );
        const answer = await health(gateway);
        check(answer.body.status === "healthy", `health: ${JSON.stringify(answer.body)}`);
        return pass();
      },
    },
  ];
  return {
    name: "Timeouts (T-TMO)",
    cases,
    cleanup: async () => {
      const started = load;
      load = undefined;
      await (await started?.catch(() => undefined))?.gateway.stop();
    },
  };
}

export function hltGroup(): CaseGroup {
  const main = mainFixture();
  const semver = /^\d+\.\d+\.\d+$/;
  const cases: ComplianceCase[] = [
    {
      id: "T-HLT-001",
      title: "`/health` is available",
      how: "GET /health after READY: 200, application/json, with status, specVersion, gatewayVersion and a servers object",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        const answer = await health(gateway);
        check(answer.status === 200 && answer.contentType.startsWith("application/json"), `HTTP ${answer.status} ${answer.contentType}`);
        for (const field of ["status", "specVersion", "gatewayVersion"]) check(typeof answer.body[field] === "string", `no ${field}`);
        check(typeof answer.body.servers === "object" && answer.body.servers !== null, "no servers object");
        return pass();
      },
    },
    {
      id: "T-HLT-002",
      title: "Liveness is reported correctly",
      how: "status `healthy` with all servers up, and /health keeps answering 200 while 20 calls run",
      run: async () => {
        const { gateway } = await main.get();
        const session = await McpSession.open(gateway, "s1");
        const calls = Array.from({ length: 20 }, (_, index) => session.callTool("trigger-long-running-operation", { duration: 0.3, steps: 1 }, `l${index}`));
        const during = await Promise.all([health(gateway), health(gateway), health(gateway)]);
        await Promise.all(calls);
        check(
          during.every((answer) => answer.status === 200 && answer.body.status === "healthy"),
          `health under load: ${JSON.stringify(during.map((answer) => answer.body.status))}`,
        );
        return pass();
      },
    },
    {
      id: "T-HLT-003",
      title: "Readiness is reported correctly",
      how: "r1's HTTP server stopped after READY, then a call on r1: within 35 s /health shows r1 `error` and status `unhealthy`, still HTTP 200",
      run: async () => {
        const upstream = await startEverythingHttp();
        const gateway = await startGateway(base({ s1: echoServer(), r1: { type: "http", url: upstream.url } }));
        try {
          const session = await McpSession.open(gateway, "r1");
          await upstream.stop();
          await session.callTool("echo", { message: "x" });
          const seen = await poll(
            async () => {
              const answer = await health(gateway);
              return serverStatus(answer.body, "r1") === "error" && answer.body.status === "unhealthy" && answer.status === 200 ? answer : undefined;
            },
            35_000,
            500,
          );
          check(seen, "r1 never showed error");
          return pass();
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-HLT-004",
      title: "Server status is reported",
      how: "servers has exactly the configured keys, each status in {running, stopped, error}, uptime an integer ≥ 0 that does not decrease",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        const first = (await health(gateway)).body.servers as Record<string, { status: string; uptime?: number }>;
        const second = (await health(gateway)).body.servers as Record<string, { status: string; uptime?: number }>;
        check(JSON.stringify(Object.keys(first).sort()) === JSON.stringify(["r1", "r2", "s1", "s2"]), `keys ${Object.keys(first).join(",")}`);
        for (const [name, entry] of Object.entries(first)) {
          check(["running", "stopped", "error"].includes(entry.status), `${name}: ${entry.status}`);
          check(
            entry.uptime === undefined || (Number.isInteger(entry.uptime) && entry.uptime >= 0 && (second[name]!.uptime ?? 0) >= entry.uptime),
            `${name} uptime`,
          );
        }
        return pass();
      },
    },
    {
      id: "T-HLT-005",
      title: "Failed servers restart automatically",
      how: "s1's process killed (`docker kill`) after a call: /health shows s1 `error`, and within 35 s (the 30 s health check) `running` again with no agent call in between; then echo on s1 succeeds",
      run: async () => {
        const gateway = await startGateway(base({ s1: echoServer() }));
        try {
          const session = await McpSession.open(gateway, "s1");
          await session.callTool("echo", { message: "up" });
          for (const run of gateway.dockerRuns().filter((entry) => alive(entry.pid))) process.kill(run.pid, "SIGKILL");
          const failed = await poll(async () => (serverStatus((await health(gateway)).body, "s1") === "error" ? true : undefined), 5000);
          check(failed, "s1 never showed error after its process was killed");
          const back = await poll(async () => (serverStatus((await health(gateway)).body, "s1") === "running" ? true : undefined), 35_000, 500);
          check(back, "s1 was not relaunched within 35 s");
          check(resultText(await session.callTool("echo", { message: "again" })).includes("again"), "echo on s1 failed after the relaunch");
          return pass();
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-HLT-006",
      title: "`specVersion` is present",
      how: "specVersion is a non-empty string",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        const version = (await health(gateway)).body.specVersion;
        check(typeof version === "string" && version !== "", `specVersion ${String(version)}`);
        return pass(`"${version}", the reference's value (compatibility row “${SPEC_VERSION_ROW}”); the spec suggests "1.17.0"`);
      },
    },
    {
      id: "T-HLT-007",
      title: "`gatewayVersion` is present",
      how: "gatewayVersion is a non-empty string",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        const version = (await health(gateway)).body.gatewayVersion;
        check(typeof version === "string" && version !== "", `gatewayVersion ${String(version)}`);
        return pass();
      },
    },
    {
      id: "T-HLT-008",
      title: "`specVersion` is semver",
      how: "specVersion matches ^\\d+\\.\\d+\\.\\d+$",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        check(semver.test(String((await health(gateway)).body.specVersion)), "not semver");
        return pass();
      },
    },
    {
      id: "T-HLT-009",
      title: "`gatewayVersion` is semver",
      how: "gatewayVersion starts with \\d+.\\d+.\\d+",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        check(/^\d+\.\d+\.\d+/.test(String((await health(gateway)).body.gatewayVersion)), "not semver");
        return pass();
      },
    },
  ];
  return { name: "Health (T-HLT)", cases, cleanup: main.stop };
}
