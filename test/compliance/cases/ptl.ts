// §2.2 Protocol translation tests (T-PTL-001…008).
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { EVERYTHING_SCRIPT, freePort, startEverythingHttp } from "../../support/mcp-servers.ts";
import { mainFixture } from "../fixtures.ts";
import {
  base,
  check,
  departure,
  echoServer,
  IMAGES,
  logLine,
  McpSession,
  pass,
  resultText,
  startGateway,
  type CaseGroup,
  type ComplianceCase,
} from "../harness.ts";

const ID_ROW = "JSON-RPC ids towards backends";

/** A JSON-RPC error or an error result: what a failed call may look like to the client. */
function failedCall(reply: { status: number; message: Record<string, unknown> | undefined }): boolean {
  if (reply.status >= 400) return true;
  if (reply.message?.error) return true;
  return (reply.message?.result as { isError?: boolean } | undefined)?.isError === true;
}

export function ptlGroup(): CaseGroup {
  const main = mainFixture();
  const cases: ComplianceCase[] = [
    {
      id: "T-PTL-001",
      title: "stdio request/response round trip",
      how: 'initialize, tools/list (id 2), tools/call echo (id "x") on s1: 200 with the same ids and the text; a second call is served by the same process (no new `docker run`)',
      fast: true,
      run: async () => {
        const { gateway } = await main.get();
        const session = await McpSession.open(gateway, "s1");
        const list = await session.request("tools/list", {}, 2);
        check(list.status === 200 && list.message?.id === 2 && list.message.result, `tools/list: ${list.status} ${list.text.slice(0, 200)}`);
        const call = await session.callTool("echo", { message: "hi" }, "x");
        check(call.status === 200 && call.message?.id === "x" && resultText(call).includes("hi"), `echo: ${call.status} ${call.text.slice(0, 200)}`);
        const runs = gateway.dockerRuns().length;
        const again = await session.callTool("echo", { message: "again" }, "y");
        check(resultText(again).includes("again") && gateway.dockerRuns().length === runs, "the second call started another container");
        return pass("servers are launched at startup (as the reference does), not lazily on the first request: compatibility row “startup order”");
      },
    },
    {
      id: "T-PTL-002",
      title: "HTTP passthrough",
      how: "tools/call echo on r1 (recording proxy, `X-Api-Key: k1`): the backend gets the same method and params with the header; the client gets its result under its own id",
      fast: true,
      run: async () => {
        const { gateway, r1 } = await main.get();
        const session = await McpSession.open(gateway, "r1");
        const before = r1.bodies.length;
        const reply = await session.callTool("echo", { message: "passthrough" }, "client-id-7");
        check(reply.message?.id === "client-id-7" && resultText(reply).includes("passthrough"), `reply: ${reply.text.slice(0, 200)}`);
        const sent = r1.bodies
          .slice(before)
          .map((body) => JSON.parse(body) as Record<string, unknown>)
          .find((body) => body.method === "tools/call");
        check(sent, "the backend never received tools/call");
        check(
          JSON.stringify((sent.params as { arguments?: unknown }).arguments) === JSON.stringify({ message: "passthrough" }),
          `params: ${JSON.stringify(sent.params)}`,
        );
        check(
          r1.seen.every((headers) => headers["x-api-key"] === "k1"),
          "a request went without X-Api-Key: k1",
        );
        if (sent.id === "client-id-7") return pass();
        return departure(
          ID_ROW,
          `the backend saw id ${JSON.stringify(sent.id)}: one backend connection carries the calls of all of an agent's sessions, whose ids may collide, so the gateway's MCP client numbers them and gives the agent's id back on the reply, as the reference's go-sdk client does`,
        );
      },
    },
    {
      id: "T-PTL-003",
      title: "Tool signatures are preserved",
      how: "tools/list and tools/call echo through /mcp/s1 compared with the same calls made straight to server-everything over stdio with the SDK client: name, description, inputSchema and the result are identical",
      run: async () => {
        const { gateway } = await main.get();
        const direct = new Client({ name: "compliance-direct", version: "1.0.0" });
        await direct.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING_SCRIPT, "stdio"], stderr: "ignore" }));
        try {
          const expected = (await direct.listTools()).tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema }));
          const session = await McpSession.open(gateway, "s1");
          const listed = (await session.request("tools/list")).message?.result as { tools: { name: string; description?: string; inputSchema: unknown }[] };
          const through = listed.tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema }));
          const differing = expected
            .filter(
              (tool) =>
                !isDeepStrictEqual(
                  tool,
                  through.find((other) => other.name === tool.name),
                ),
            )
            .map((tool) => tool.name);
          const extra = through.filter((tool) => !expected.some((other) => other.name === tool.name)).map((tool) => tool.name);
          check(
            differing.length === 0 && extra.length === 0,
            `tools differ from the backend's own list: ${differing.join(", ")} differ or are missing; ${extra.join(", ")} are extra`,
          );
          const directResult = await direct.callTool({ name: "get-sum", arguments: { a: 2, b: 3 } });
          const gatewayResult = (await session.callTool("get-sum", { a: 2, b: 3 })).message?.result;
          check(isDeepStrictEqual(gatewayResult, directResult), `results differ: ${JSON.stringify(gatewayResult)} vs ${JSON.stringify(directResult)}`);
          return pass();
        } finally {
          await direct.close();
        }
      },
    },
    {
      id: "T-PTL-004",
      title: "Concurrent requests",
      how: "20 parallel tools/call on s1 and s2 (trigger-long-running-operation of 0.2–0.5 s mixed with echo), distinct ids: all 200 with their own id and result, in well under the sum of the waits",
      run: async () => {
        const { gateway } = await main.get();
        const sessions = [await McpSession.open(gateway, "s1"), await McpSession.open(gateway, "s2")];
        const started = Date.now();
        let sleeps = 0;
        const calls = Array.from({ length: 20 }, (_, index) => {
          const session = sessions[index % 2]!;
          if (index % 2 === 0) {
            const seconds = 0.2 + (index % 4) * 0.1;
            sleeps += seconds * 1000;
            return session
              .callTool("trigger-long-running-operation", { duration: seconds, steps: 1 }, `c${index}`)
              .then((reply) => ({ index, reply, word: "completed" }));
          }
          return session.callTool("echo", { message: `m${index}` }, `c${index}`).then((reply) => ({ index, reply, word: `m${index}` }));
        });
        const replies = await Promise.all(calls);
        const elapsed = Date.now() - started;
        for (const { index, reply, word } of replies) {
          check(reply.status === 200 && reply.message?.id === `c${index}`, `call ${index}: ${reply.status} id ${JSON.stringify(reply.message?.id)}`);
          check(resultText(reply).toLowerCase().includes(word.toLowerCase()), `call ${index} got ${resultText(reply).slice(0, 100)}`);
        }
        check(elapsed < sleeps / 2, `took ${elapsed} ms for ${sleeps} ms of waits`);
        return pass(`${elapsed} ms for ${sleeps} ms of waits`);
      },
    },
    {
      id: "T-PTL-005",
      title: "Large payloads",
      how: "payloadDir, payloadPathPrefix `/workspace/payloads`, threshold 1024; get-env returning ~0.5 KiB and ~4 KiB: the small one inline, the large one as metadata whose payloadPath starts with the prefix, the file under payloadDir holding the full content",
      run: async () => {
        const dir = mkdtempSync(join(tmpdir(), "flowgate-compliance-gwp-"));
        const config = base(
          { small: echoServer({ env: { FILL: "s".repeat(300) } }), large: echoServer({ env: { FILL: "L".repeat(4096) } }) },
          { payloadDir: dir, payloadPathPrefix: "/workspace/payloads", payloadSizeThreshold: 1024 },
        );
        const gateway = await startGateway(config);
        try {
          const small = await (await McpSession.open(gateway, "small")).callTool("get-env");
          check(resultText(small).includes("s".repeat(300)), `the small result was not inline: ${small.text.slice(0, 200)}`);
          const large = await (await McpSession.open(gateway, "large")).callTool("get-env");
          const path = /"payloadPath\\?":\s*\\?"([^"\\]+)/.exec(large.text)?.[1];
          check(path !== undefined && path.startsWith("/workspace/payloads/"), `payloadPath ${path ?? "(none)"}: ${large.text.slice(0, 300)}`);
          const file = join(dir, path.slice("/workspace/payloads/".length));
          check(existsSync(file) && readFileSync(file, "utf8").includes("L".repeat(4096)), `${file} does not hold the full content`);
          return pass();
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-PTL-006",
      title: "Partial responses are buffered",
      how: "a server whose every stdout write is split into 3 writes 100 ms apart (the stand-in's chunky image): tools/list and echo answers are whole, valid JSON-RPC equal to an unchunked server's",
      run: async () => {
        const gateway = await startGateway(base({ chunky: { container: IMAGES.chunky }, plain: echoServer() }));
        try {
          const chunky = await McpSession.open(gateway, "chunky");
          const plain = await McpSession.open(gateway, "plain");
          const a = await chunky.callTool("echo", { message: "whole" }, 5);
          const b = await plain.callTool("echo", { message: "whole" }, 5);
          check(a.message && JSON.stringify(a.message) === JSON.stringify(b.message), `chunky ${a.text.slice(0, 200)} vs ${b.text.slice(0, 200)}`);
          return pass();
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-PTL-007",
      title: "An HTTP connection failure returns an error",
      how: "READY with r1 up, then its server stopped; tools/call on r1 answers within toolTimeout with HTTP 503 or a JSON-RPC error, never a result",
      run: async () => {
        const upstream = await startEverythingHttp();
        const gateway = await startGateway(base({ r1: { type: "http", url: upstream.url } }));
        try {
          const session = await McpSession.open(gateway, "r1");
          await upstream.stop();
          const reply = await session.callTool("echo", { message: "x" });
          check(
            failedCall(reply) && !(reply.message?.result && !(reply.message.result as { isError?: boolean }).isError),
            `reply: ${reply.status} ${reply.text.slice(0, 200)}`,
          );
          return pass(`${reply.status} ${JSON.stringify((reply.message?.error as { code?: number } | undefined)?.code ?? "")}`);
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      id: "T-PTL-008",
      title: "A connection failure is never silently ignored",
      how: "an HTTP server on a closed port from the start: READY (the failure is logged), then tools/call answers with an error status or JSON-RPC error well within toolTimeout, and the failure is in mcp-gateway.log",
      run: async () => {
        const port = await freePort();
        const gateway = await startGateway(base({ r1: { type: "http", url: `http://127.0.0.1:${port}/mcp` } }));
        try {
          const started = Date.now();
          const reply = await McpSession.open(gateway, "r1").then(
            (session) => session.callTool("echo", { message: "x" }),
            (error: unknown) => ({ status: 500, message: { error: String(error) } as Record<string, unknown>, text: String(error), headers: new Headers() }),
          );
          check(failedCall(reply) && reply.text !== "", `reply: ${reply.status} ${reply.text.slice(0, 200)}`);
          check(Date.now() - started < 65_000, "it took longer than toolTimeout + 5 s");
          check(await logLine(gateway, (line) => /r1/.test(line) && /error|fail/i.test(line)), "the failure is not in mcp-gateway.log");
          return pass();
        } finally {
          await gateway.stop();
        }
      },
    },
  ];
  return { name: "Protocol translation (T-PTL)", cases, cleanup: main.stop };
}
