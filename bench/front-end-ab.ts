// Before/after figures for a change on the gateway's per-call path: flowgate from two or more
// checkouts, each in front of server-everything over stdio, called in interleaved rounds by a raw
// keep-alive node:http client and by the SDK client (1 KB echo). Besides latency it reports the
// gateway process's CPU time per call, which load on a 2-core machine disturbs far less.
// With --sessions N it also measures calls/s of N concurrent SDK sessions per gateway (the same
// agent), interleaved per round; --guard puts each checkout's pass-through WASM guard in front.
// Usage: npm run bench:ab -- before=<checkout> after=<checkout> [--calls 1500] [--rounds 5]
//   [--sessions 16 --seconds 15] [--guard] [--bytes 1024] [--env <label>:<NAME>=<value> ...]
// (--env sets a variable for one gateway's process only: e.g. the same checkout twice, once with
// FLOWGATE_TOOLS_CALL_FAST_PATH=off.)
// (a checkout is a directory with node_modules, e.g. `git worktree add ../before <commit>` and a
// node_modules symlink).
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { killAll } from "./lib/processes.ts";
import { percentile, timeNs } from "./lib/stats.ts";
import { startFlowgate } from "./lib/targets.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    calls: { type: "string", default: "1500" },
    rounds: { type: "string", default: "5" },
    sessions: { type: "string", default: "0" },
    seconds: { type: "string", default: "15" },
    guard: { type: "boolean", default: false },
    /** The echo message's size: 1 KB as in the latency table, 262144 for its 256 KB column. */
    bytes: { type: "string", default: "1024" },
    env: { type: "string", multiple: true, default: [] },
  },
});
const perRound = Math.ceil(Number(values.calls) / Number(values.rounds));
const MESSAGE = "x".repeat(Number(values.bytes));

interface Gateway {
  label: string;
  url: string;
  headers: Record<string, string>;
  /** CPU time the gateway process has used so far, in µs (10 ms resolution). */
  cpuUs(): number;
}

async function start(label: string, checkout: string): Promise<Gateway> {
  const everything = join(checkout, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
  let config = `[gateway]\nagent_id = "bench-agent"\n\n[servers.everything]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(everything)}, "stdio"]\n`;
  if (values.guard) {
    const wasm = join(checkout, "guards/passthrough/build/passthrough.wasm");
    config += `guard = "pass"\n\n[guards.pass]\ntype = "wasm"\npath = ${JSON.stringify(wasm)}\n\n[guards.pass.policy.allow-only]\nrepos = "all"\nmin-integrity = "none"\n`;
  }
  const { child, document } = await startFlowgate(config, checkout, [], { ...process.env, ...environmentOf(label) });
  const entry = document.mcpServers["everything"];
  if (!entry) throw new Error(`${label}: no 'everything' server in the client configuration`);
  const cpuUs = () => {
    const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  };
  return { label, url: entry.url, headers: entry.headers ?? {}, cpuUs };
}

/** The variables --env gives the gateway labelled `label`. */
function environmentOf(label: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const setting of values.env) {
    const match = /^([^:]+):([^=]+)=(.*)$/.exec(setting);
    if (!match) throw new Error(`expected --env <label>:<NAME>=<value>, got '${setting}'`);
    if (match[1] === label) variables[match[2]!] = match[3]!;
  }
  return variables;
}

/** A keep-alive node:http client speaking just enough streamable HTTP for tools/call. */
async function rawClient(gateway: Gateway): Promise<(id: number) => Promise<void>> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(gateway.url);
  const headers: Record<string, string> = { ...gateway.headers, "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
  const post = (body: unknown) =>
    new Promise<{ sessionId: unknown; text: string }>((resolve, reject) => {
      const text = JSON.stringify(body);
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: "POST", agent, headers: { ...headers, "Content-Length": Buffer.byteLength(text) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ sessionId: res.headers["mcp-session-id"], text: Buffer.concat(chunks).toString() }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(text);
    });
  const init = await post({
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  });
  headers["Mcp-Session-Id"] = String(init.sessionId);
  headers["Mcp-Protocol-Version"] = "2025-11-25";
  await post({ jsonrpc: "2.0", method: "notifications/initialized" });
  return async (id) => {
    const answer = await post({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "echo", arguments: { message: MESSAGE } } });
    if (!answer.text.includes(`"id":${id}`)) throw new Error(`no response for ${id}: ${answer.text.slice(0, 200)}`);
  };
}

async function sdkClient(gateway: Gateway): Promise<(id: number) => Promise<void>> {
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url), { requestInit: { headers: gateway.headers } }));
  return async () => {
    await client.callTool({ name: "echo", arguments: { message: MESSAGE } });
  };
}

/** Calls/s of `sessions` SDK sessions calling in a loop, each gateway for `msPerRound` per round. */
async function concurrentSessions(gateways: Gateway[], sessions: number, msPerRound: number): Promise<void> {
  const totals = new Map<Gateway, { calls: number; ms: number; gatewayCpuUs: number }>();
  const clients = new Map<Gateway, Array<(id: number) => Promise<void>>>();
  for (const gateway of gateways) {
    const calls = await Promise.all(Array.from({ length: sessions }, () => sdkClient(gateway)));
    // One call each first: a session's first call may start its backend.
    await Promise.all(calls.map((call) => call(0)));
    clients.set(gateway, calls);
    totals.set(gateway, { calls: 0, ms: 0, gatewayCpuUs: 0 });
  }
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const gateway of gateways) {
      const total = totals.get(gateway)!;
      const cpuBefore = gateway.cpuUs();
      const start = performance.now();
      const deadline = start + msPerRound;
      await Promise.all(
        clients.get(gateway)!.map(async (call) => {
          while (performance.now() < deadline) {
            await call(0);
            total.calls++;
          }
        }),
      );
      total.ms += performance.now() - start;
      total.gatewayCpuUs += gateway.cpuUs() - cpuBefore;
    }
  }
  console.log(`\n| gateway | ${sessions} sessions: calls/s | gateway CPU µs/call |\n|---|---:|---:|`);
  for (const [gateway, total] of totals) {
    console.log(`| ${gateway.label} | ${((total.calls * 1000) / total.ms).toFixed(0)} | ${(total.gatewayCpuUs / total.calls).toFixed(0)} |`);
  }
}

interface Loop {
  gateway: Gateway;
  call: (id: number) => Promise<void>;
  samplesNs: number[];
  gatewayCpuUs: number;
  clientCpuUs: number;
}

try {
  const gateways = await Promise.all(
    positionals.map((arg) => {
      const [label, root] = arg.split("=");
      if (!label || !root) throw new Error(`expected <label>=<checkout>, got '${arg}'`);
      return start(label, root);
    }),
  );
  const loops = new Map<string, Loop>();
  for (const gateway of gateways) {
    for (const [kind, make] of [
      ["raw", rawClient],
      ["sdk", sdkClient],
    ] as const) {
      const call = await make(gateway);
      // Warm-up, which also starts the session's backend.
      for (let i = 1; i <= 100; i++) await call(i);
      loops.set(`${gateway.label} ${kind}`, { gateway, call, samplesNs: [], gatewayCpuUs: 0, clientCpuUs: 0 });
    }
  }
  let id = 1000;
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const loop of loops.values()) {
      const gatewayBefore = loop.gateway.cpuUs();
      const clientBefore = process.cpuUsage();
      for (let i = 0; i < perRound; i++) loop.samplesNs.push(await timeNs(() => loop.call(id++)));
      const clientUsed = process.cpuUsage(clientBefore);
      loop.clientCpuUs += clientUsed.user + clientUsed.system;
      loop.gatewayCpuUs += loop.gateway.cpuUs() - gatewayBefore;
    }
  }
  console.log("| loop | calls | p50 µs | p90 µs | p99 µs | gateway CPU µs/call | client CPU µs/call |\n|---|---:|---:|---:|---:|---:|---:|");
  for (const [key, loop] of loops) {
    const sorted = [...loop.samplesNs].sort((a, b) => a - b);
    const us = (fraction: number) => (percentile(sorted, fraction) / 1000).toFixed(0);
    const perCall = (total: number) => (total / sorted.length).toFixed(0);
    console.log(`| ${key} | ${sorted.length} | ${us(0.5)} | ${us(0.9)} | ${us(0.99)} | ${perCall(loop.gatewayCpuUs)} | ${perCall(loop.clientCpuUs)} |`);
  }
  if (Number(values.sessions) > 0) await concurrentSessions(gateways, Number(values.sessions), (Number(values.seconds) * 1000) / Number(values.rounds));
} finally {
  await killAll();
}
