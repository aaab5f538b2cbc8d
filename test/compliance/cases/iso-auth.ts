// §2.3 Isolation tests (T-ISO-001…008) and §2.4 Authentication tests (T-AUTH-001…006).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { rawRequest } from "../../support/raw-http.ts";
import { mainFixture } from "../fixtures.ts";
import {
  AID,
  alive,
  base,
  check,
  echoServer,
  expectRejected,
  health,
  McpSession,
  notCheckable,
  pass,
  poll,
  post,
  rejected,
  resultText,
  startGateway,
  type CaseGroup,
  type ComplianceCase,
  type Gateway,
} from "../harness.ts";

const NO_ENGINE = "needs a container engine (bind mounts, hostnames, PID and network namespaces); no Docker engine runs on this machine";

/** The `-v` values of the recorded `docker run` of one server, found by its env marker. */
function volumesOf(gateway: Gateway, marker: string): string[] {
  const run = gateway.dockerRuns().find((entry) => entry.env.includes(marker));
  const args = run?.args ?? [];
  return args.flatMap((arg, index) => (arg === "-v" ? [args[index + 1]!] : []));
}

async function envOf(gateway: Gateway, server: string): Promise<Record<string, string>> {
  const session = await McpSession.open(gateway, server);
  return JSON.parse(resultText(await session.callTool("get-env"))) as Record<string, string>;
}

/** Mount cases: the per-server `-v` flags are checked; what they do inside a container is not. */
function mountCase(id: string, title: string, mounts: Record<string, string[]>): ComplianceCase {
  return {
    id,
    title,
    how: "each server's recorded `docker run` carries exactly its own `-v` mounts; the effect inside the container is not observable without an engine",
    run: async () => {
      const servers = Object.fromEntries(
        Object.entries(mounts).map(([name, list]) => [name, echoServer({ ...(list.length > 0 ? { mounts: list } : {}), env: { [`MARK_${name}`]: "1" } })]),
      );
      const gateway = await startGateway(base(servers));
      try {
        for (const [name, list] of Object.entries(mounts)) {
          const seen = volumesOf(gateway, `MARK_${name}`);
          check(JSON.stringify(seen) === JSON.stringify(list), `${name}: -v ${JSON.stringify(seen)}, expected ${JSON.stringify(list)}`);
        }
        return notCheckable(`${NO_ENGINE}; the docker run arguments are right`);
      } finally {
        await gateway.stop();
      }
    },
  };
}

export function isoGroup(): CaseGroup {
  const main = mainFixture();
  const cases: ComplianceCase[] = [
    {
      id: "T-ISO-001",
      title: "Container isolation",
      how: "s1 and s2 run in two distinct `docker run` processes; a call on s1 is answered by s1's process only (its env has A, not B)",
      run: async () => {
        const { gateway } = await main.get();
        const runs = gateway.dockerRuns();
        const s1 = runs.filter((run) => run.env.includes("A"));
        const s2 = runs.filter((run) => run.env.includes("B"));
        check(s1.length > 0 && s2.length > 0 && s1.every((a) => s2.every((b) => a.pid !== b.pid)), "s1 and s2 share a process");
        const env = await envOf(gateway, "s1");
        check(env.A === "1" && env.B === undefined, "a call on s1 was answered by another server");
        return pass("hostnames and PID namespaces need a container engine: checked as separate `docker run` processes with separate stdio");
      },
    },
    {
      id: "T-ISO-002",
      title: "Environment isolation",
      how: "get-env on s1 and s2 (the stand-in gives a container only its `-e` variables): s1 has A=1 and no B, s2 has B=2 and no A, neither has the gateway's GW_SECRET",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        const s1 = await envOf(gateway, "s1");
        const s2 = await envOf(gateway, "s2");
        check(s1.A === "1" && s1.B === undefined, `s1 env: A=${s1.A} B=${s1.B}`);
        check(s2.B === "2" && s2.A === undefined, `s2 env: A=${s2.A} B=${s2.B}`);
        check(s1.GW_SECRET === undefined && s2.GW_SECRET === undefined, "GW_SECRET reached a container");
        const passed = gateway.dockerRuns().flatMap((run) => run.args);
        check(!passed.some((arg) => arg.includes("GW_SECRET")), "GW_SECRET is on a docker run command line");
        return pass();
      },
    },
    {
      id: "T-ISO-003",
      title: "Credential isolation",
      how: "calls on r1 and r2 (recording proxies): r1 only ever sees `Bearer t1`, r2 only `Bearer t2`; the agent id is never sent upstream",
      fast: true,
      run: async () => {
        const { gateway, r1, r2 } = await main.get();
        await (await McpSession.open(gateway, "r1")).callTool("echo", { message: "1" });
        await (await McpSession.open(gateway, "r2")).callTool("echo", { message: "2" });
        check(r1.seen.length > 0 && r1.seen.every((headers) => headers.authorization === "Bearer t1"), "r1 saw another credential");
        check(r2.seen.length > 0 && r2.seen.every((headers) => headers.authorization === "Bearer t2"), "r2 saw another credential");
        const upstream = JSON.stringify([...r1.seen, ...r2.seen]) + r1.bodies.join("") + r2.bodies.join("");
        check(!upstream.includes(AID), "the agent id was sent upstream");
        return pass();
      },
    },
    {
      id: "T-ISO-004",
      title: "Cross-container communication is blocked",
      how: "tools/call on /mcp/s1 of a tool s1 does not have: a JSON-RPC error and no other backend receives the call; the network half needs a container engine",
      run: async () => {
        const { gateway, r1, r2 } = await main.get();
        const before = r1.bodies.length + r2.bodies.length;
        const reply = await (await McpSession.open(gateway, "s1")).callTool("only_on_s2", {});
        const failed = reply.message?.error !== undefined || (reply.message?.result as { isError?: boolean } | undefined)?.isError === true;
        check(failed, `reply: ${reply.text.slice(0, 200)}`);
        check(r1.bodies.length + r2.bodies.length === before, "another backend received the call");
        return pass("network isolation between containers needs a container engine and is not checked");
      },
    },
    {
      id: "T-ISO-005",
      title: "Container failure is isolated",
      how: "s1's process is killed (`docker kill`): a call on s1 fails or recovers, echo on s2 succeeds, the gateway keeps answering /health",
      run: async () => {
        const gateway = await startGateway(base({ s1: echoServer({ env: { MARK_S1: "1" } }), s2: echoServer() }));
        try {
          const s1 = await McpSession.open(gateway, "s1");
          await s1.callTool("echo", { message: "up" });
          for (const run of gateway.dockerRuns().filter((entry) => entry.env.includes("MARK_S1") && alive(entry.pid))) process.kill(run.pid, "SIGKILL");
          const afterCrash = await s1.callTool("echo", { message: "after" });
          check(afterCrash.status === 200 && afterCrash.message, `s1 after the crash: ${afterCrash.status}`);
          const s2 = await McpSession.open(gateway, "s2");
          check(resultText(await s2.callTool("echo", { message: "fine" })).includes("fine"), "s2 failed after s1 crashed");
          check((await health(gateway)).status === 200 && gateway.child.exitCode === null, "the gateway stopped");
          return pass();
        } finally {
          await gateway.stop();
        }
      },
    },
    mountCase("T-ISO-006", "A mount affects only its own server", { s1: ["/tmp/gwt/x:/data:ro"], s2: [] }),
    mountCase("T-ISO-007", "Mount mode is enforced", { s1: ["/tmp/gwt/ro:/ro:ro", "/tmp/gwt/rw:/rw:rw"] }),
    mountCase("T-ISO-008", "Mount paths are independent per container", { s1: ["/tmp/gwt/a:/data:ro"], s2: ["/tmp/gwt/b:/data:ro"] }),
  ];
  return { name: "Isolation (T-ISO)", cases, cleanup: main.stop };
}

export function authGroup(): CaseGroup {
  const main = mainFixture();
  const rpc = (gateway: Gateway, headers: Record<string, string>) =>
    post(`${gateway.baseUrl}/mcp/s1`, { jsonrpc: "2.0", id: 1, method: "tools/list" }, headers);
  const cases: ComplianceCase[] = [
    {
      id: "T-AUTH-001",
      title: "A valid credential is accepted",
      how: "RPC with the stdout document's Authorization value: 200 with a result; no file in the log directory contains the agent id",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        const session = await McpSession.open(gateway, "s1");
        const reply = await session.request("tools/list");
        check(reply.status === 200 && reply.message?.result, `tools/list: ${reply.status}`);
        await poll(async () => (readdirSync(gateway.logDir).length > 0 ? true : undefined), 2000);
        for (const file of readdirSync(gateway.logDir)) {
          check(!readFileSync(join(gateway.logDir, file), "utf8").includes(AID), `${file} contains the agent id`);
        }
        return pass();
      },
    },
    {
      id: "T-AUTH-002",
      title: "An invalid credential is rejected",
      how: "`wrong`, `Bearer <AID>`, `<AID>x`: 401; a control character in the header (raw socket): 400",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        for (const value of ["wrong", `Bearer ${AID}`, `${AID}x`]) {
          const reply = await rpc(gateway, { Authorization: value });
          check(reply.status === 401, `${value}: HTTP ${reply.status}`);
        }
        const raw = await rawRequest(gateway.baseUrl, "POST", "/mcp/s1", { Authorization: `${AID}\u0001`, "Content-Type": "application/json" }, "{}");
        check(raw.status === 400, `control character: HTTP ${raw.status}`);
        return pass();
      },
    },
    {
      id: "T-AUTH-003",
      title: "A missing credential is rejected",
      how: "RPC and POST /close without Authorization: 401 both; the gateway keeps running",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        check((await rpc(gateway, {})).status === 401, "RPC without Authorization was not 401");
        const close = await fetch(`${gateway.baseUrl}/close`, { method: "POST" });
        check(close.status === 401, `/close: HTTP ${close.status}`);
        check((await health(gateway)).status === 200, "the gateway stopped");
        return pass();
      },
    },
    {
      id: "T-AUTH-004",
      title: "`/health` needs no credential",
      how: "GET /health without Authorization: 200 with the health document",
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        const answer = await health(gateway);
        check(answer.status === 200 && typeof answer.body.status === "string" && typeof answer.body.servers === "object", `HTTP ${answer.status}`);
        return pass();
      },
    },
    {
      id: "T-AUTH-005",
      title: "Credential rotation works",
      how: "run 1 with agentId `old`, closed with /close; run 2 with `new` on the same port: its stdout says `new`, `new` gets 200 and `old` 401",
      run: async () => {
        const first = await startGateway(base({ s1: echoServer() }, { agentId: "old" }));
        const port = first.port;
        check((await first.stop()) === 0, "run 1 did not exit 0");
        const second = await startGateway(base({ s1: echoServer() }, { agentId: "new" }), { port });
        try {
          const entry = (second.document.mcpServers as Record<string, { headers: { Authorization: string } }>).s1!;
          check(entry.headers.Authorization === "new", `stdout Authorization ${entry.headers.Authorization}`);
          check((await McpSession.open(second, "s1", "new")) !== undefined, "new was refused");
          check((await rpc(second, { Authorization: "old" })).status === 401, "old was accepted");
          return pass();
        } finally {
          await second.stop();
        }
      },
    },
    {
      id: "T-AUTH-006",
      title: "`trustedBots` configuration",
      how: '`trustedBots:["github-actions[bot]","my-bot[bot]"]` gives READY; `[]` and `[""]` are refused naming trustedBots',
      run: async () => {
        const gateway = await startGateway(base({ s1: echoServer() }, { trustedBots: ["github-actions[bot]", "my-bot[bot]"] }));
        await gateway.stop();
        for (const bots of [[], [""]]) expectRejected(await rejected(base({ s1: echoServer() }, { trustedBots: bots })), "trustedBots");
        return pass(
          "the behavioural half (an item by my-bot[bot] treated as approved) is covered by the guard tests, which need the GitHub guard and a GitHub MCP server: see T-GP",
        );
      },
    },
  ];
  return { name: "Authentication (T-AUTH)", cases, cleanup: main.stop };
}
