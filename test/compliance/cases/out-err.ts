// §2.7 Configuration output tests (T-OUT-001…007) and §2.8 Error handling tests (T-ERR-001…005).
import { mainFixture } from "../fixtures.ts";
import {
  AID,
  alive,
  base,
  check,
  departure,
  echoServer,
  expectRejected,
  health,
  launch,
  logLine,
  McpSession,
  pass,
  poll,
  post,
  rejected,
  resultText,
  serverStatus,
  startGateway,
  type CaseGroup,
  type ComplianceCase,
} from "../harness.ts";

type Entries = Record<string, { type?: string; url?: string; headers?: { Authorization?: string } }>;

export function outGroup(): CaseGroup {
  const main = mainFixture();
  const entries = async () => (await main.get()).gateway.document.mcpServers as Entries;
  const cases: ComplianceCase[] = [
    {
      id: "T-OUT-001",
      title: "stdout carries a valid JSON config",
      how: "stdout is one JSON object with an object mcpServers, nothing before it, nothing after it while serving",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        await (await McpSession.open(gateway, "s1")).callTool("echo", { message: "x" });
        const parsed = JSON.parse(gateway.output.stdout) as Record<string, unknown>;
        check(typeof parsed.mcpServers === "object" && parsed.mcpServers !== null, "no mcpServers object");
        check(gateway.output.stdout.trimStart().startsWith("{"), "something precedes the document");
        return pass();
      },
    },
    {
      id: "T-OUT-002",
      title: "Every server is listed",
      how: "four servers (2 stdio, 2 http): the document's keys equal the configured ones",
      fast: true,
      run: async () => {
        check(JSON.stringify(Object.keys(await entries()).sort()) === JSON.stringify(["r1", "r2", "s1", "s2"]), "keys differ");
        return pass();
      },
    },
    {
      id: "T-OUT-003",
      title: "Every entry has type http",
      how: "every entry's type is `http`",
      fast: true,
      run: async () => {
        check(
          Object.values(await entries()).every((entry) => entry.type === "http"),
          "an entry is not http",
        );
        return pass();
      },
    },
    {
      id: "T-OUT-004",
      title: "URLs have the right format",
      how: "with domain `localhost` (and `host.docker.internal`), each url is `http://<host>:<port>/mcp/<name>`; flowgate puts the listen host (127.0.0.1) where the spec says domain",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        const servers = await entries();
        for (const [name, entry] of Object.entries(servers)) {
          check(entry.url === `http://127.0.0.1:${gateway.port}/mcp/${name}`, `${name}: ${entry.url}`);
        }
        return departure(
          "stdout URLs and `domain`",
          "the url is built from the address the gateway listens on (0.0.0.0 and :: shown as 127.0.0.1), as the reference does, so the URL always reaches the gateway from where it runs; `domain` names the host as seen from inside agent containers, which the workflow compiler applies",
        );
      },
    },
    {
      id: "T-OUT-005",
      title: "Entries have a headers object when auth is configured",
      how: "every entry has an object headers",
      fast: true,
      run: async () => {
        check(
          Object.values(await entries()).every((entry) => typeof entry.headers === "object" && entry.headers !== null),
          "an entry has no headers",
        );
        return pass();
      },
    },
    {
      id: "T-OUT-006",
      title: "The Authorization header is usable",
      how: "headers.Authorization is non-empty and, sent as given, gets 200",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        const value = (await entries()).s1?.headers?.Authorization ?? "";
        check(value !== "", "empty Authorization");
        await McpSession.open(gateway, "s1", value);
        return pass();
      },
    },
    {
      id: "T-OUT-007",
      title: "Output is complete before /health answers",
      how: "GET /health polled every 20 ms from process start while stdout is read: at the first 200, stdout already holds the whole parseable document",
      run: async () => {
        const run = await launch(base({ s1: echoServer(), s2: echoServer() }));
        try {
          const complete = await poll(
            async () => {
              const status = await fetch(`${run.baseUrl}/health`).then(
                (answer) => answer.status,
                () => 0,
              );
              if (status !== 200) return undefined;
              try {
                JSON.parse(run.output.stdout);
                return true;
              } catch {
                return false;
              }
            },
            30_000,
            20,
          );
          check(complete === true, complete === false ? "/health answered before the document was complete" : "/health never answered");
          return pass();
        } finally {
          await fetch(`${run.baseUrl}/close`, { method: "POST", headers: { Authorization: AID } }).catch(() => undefined);
          await run.exited;
        }
      },
    },
  ];
  return { name: "Configuration output (T-OUT)", cases, cleanup: main.stop };
}

export function errGroup(): CaseGroup {
  const main = mainFixture();
  const cases: ComplianceCase[] = [
    {
      id: "T-ERR-001",
      title: "Startup failures are reported",
      how: "s1 with an image that does not exist: flowgate logs the failure (server, image, the container's stderr) and starts, s1 in `error`; a call on s1 gets a JSON-RPC error",
      run: async () => {
        const image = "ghcr.io/example/does-not-exist:0.0.0";
        const gateway = await startGateway(base({ s1: { container: image }, s2: echoServer() }));
        try {
          check(serverStatus((await health(gateway)).body, "s1") === "error", "s1 is not in error");
          const failure = await logLine(gateway, (line) => line.includes("s1") && /fail|error/i.test(line));
          check(failure, "the start failure of s1 is not in mcp-gateway.log");
          const reply = await (await McpSession.open(gateway, "s1")).callTool("echo", { message: "x" });
          check(reply.message?.error, `a call on s1: ${reply.text.slice(0, 200)}`);
          return departure(
            "servers that fail to start",
            "the gateway starts and serves its other servers with the failed one in `error` (retried on use and by the health check), as the reference does; the spec's exit 1 would contradict its own lazy start (§7.1), and one broken server should not take the others down",
          );
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-ERR-002",
      title: "Runtime errors are handled",
      how: "tools/call of an unknown tool on s1, and a call on s1 after its process is killed: JSON-RPC errors with the request's id, integer code, string message; a later echo on s2 succeeds; mcp-gateway.log has an error line naming s1",
      run: async () => {
        const gateway = await startGateway(base({ s1: echoServer({ env: { MARK_S1: "1" } }), s2: echoServer() }));
        try {
          const s1 = await McpSession.open(gateway, "s1");
          const unknown = await s1.callTool("no_such_tool", {}, "u1");
          const result = unknown.message?.result as { isError?: boolean } | undefined;
          check(
            unknown.message?.id === "u1" && (unknown.message.error !== undefined || result?.isError === true),
            `unknown tool: ${unknown.text.slice(0, 200)}`,
          );
          await s1.callTool("echo", { message: "up" });
          for (const run of gateway.dockerRuns().filter((entry) => entry.env.includes("MARK_S1") && alive(entry.pid))) process.kill(run.pid, "SIGKILL");
          const crashed = await s1.callTool("trigger-long-running-operation", { duration: 5, steps: 1 }, "c1");
          const error = crashed.message?.error as { code?: unknown; message?: unknown } | undefined;
          if (error)
            check(crashed.message?.id === "c1" && Number.isInteger(error.code) && typeof error.message === "string", `crash: ${crashed.text.slice(0, 200)}`);
          const s2 = await McpSession.open(gateway, "s2");
          check(resultText(await s2.callTool("echo", { message: "ok" })).includes("ok"), "echo on s2 failed");
          const logged = await logLine(gateway, (line) => line.includes("s1") && /error/i.test(line));
          check(logged, "no error line naming s1");
          return pass(error ? "" : "the call after the crash was served by a relaunched s1");
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-ERR-003",
      title: "Invalid requests are rejected",
      how: "in an initialized session on /mcp/s1: `{not json` → -32700, no method → -32600, `no/such` → -32601; POST /mcp/nope → 404 and no backend sees it",
      fast: true,
      run: async () => {
        const { gateway, r1, r2 } = await main.get();
        const session = await McpSession.open(gateway, "s1");
        const expectations: [string, unknown, number][] = [
          ["{not json", "{not json", -32700],
          ["no method", { jsonrpc: "2.0", id: 1 }, -32600],
          ["no/such", { jsonrpc: "2.0", id: 2, method: "no/such" }, -32601],
        ];
        for (const [label, body, code] of expectations) {
          const reply = await session.send(body);
          const error = reply.message?.error as { code?: number } | undefined;
          check(error?.code === code && [200, 400, 404, 500].includes(reply.status), `${label}: HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
        }
        const before = r1.bodies.length + r2.bodies.length;
        const nope = await post(`${gateway.baseUrl}/mcp/nope`, { jsonrpc: "2.0", id: 3, method: "tools/list" }, { Authorization: AID });
        check(nope.status === 404 && r1.bodies.length + r2.bodies.length === before, `/mcp/nope: HTTP ${nope.status}`);
        return pass();
      },
    },
    {
      id: "T-ERR-004",
      title: "Recovery after a server crash",
      how: "s1's process killed, then three echo calls on s1: the last succeeds; /health showed s1 `error` and then `running`",
      run: async () => {
        const gateway = await startGateway(base({ s1: echoServer() }));
        try {
          const session = await McpSession.open(gateway, "s1");
          await session.callTool("echo", { message: "up" });
          for (const run of gateway.dockerRuns().filter((entry) => alive(entry.pid))) process.kill(run.pid, "SIGKILL");
          const failed = await poll(async () => (serverStatus((await health(gateway)).body, "s1") === "error" ? true : undefined), 5000);
          check(failed, "s1 never showed error");
          const replies = [];
          for (let index = 0; index < 3; index++) replies.push(await session.callTool("echo", { message: `try${index}` }));
          check(resultText(replies[2]!).includes("try2"), `last call: ${replies[2]!.text.slice(0, 200)}`);
          check(serverStatus((await health(gateway)).body, "s1") === "running", "s1 is not running again");
          return pass();
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-ERR-005",
      title: "Error messages are useful",
      how: "the configs of T-CFG-004/006/007/008/009 again: each message names the problem, the JSON path (e.g. gateway.port, mcpServers.s1.container) and has a `Suggestion:`; exit 1",
      run: async () => {
        const good = base({ s1: echoServer() });
        const variants: [string, Record<string, unknown>, string][] = [
          ["undefined variable", base({ github: echoServer({ env: { GITHUB_TOKEN: "${UNDEF_XYZ}" } }) }), "mcpServers.github.env.GITHUB_TOKEN"],
          ["unknown field", { ...good, unknownTop: 1 }, "unknownTop"],
          ["missing container", base({ s1: { type: "stdio" } }), "mcpServers.s1"],
          ["wrong type", base({ s1: echoServer() }, { port: "abc" }), "gateway.port"],
          ["port range", base({ s1: echoServer() }, { port: 70000 }), "gateway.port"],
        ];
        for (const [label, config, path] of variants) {
          const rejection = await rejected(config, { unset: ["UNDEF_XYZ"] });
          try {
            expectRejected(rejection, path);
            if (label !== "undefined variable") expectRejected(rejection, "Suggestion:");
          } catch (error) {
            throw new Error(`${label}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
          }
        }
        return pass("the undefined-variable message is the spec's two-line §4.2.3 form (the variable and `Required by: <path>`), without a Suggestion line");
      },
    },
  ];
  return { name: "Error handling (T-ERR)", cases, cleanup: main.stop };
}
