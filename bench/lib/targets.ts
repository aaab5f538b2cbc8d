// The configurations the comparison benchmark measures. Each starts its processes on
// 127.0.0.1, hands out MCP clients, and stops everything it started.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { freePort, startProcess, type BenchProcess } from "./processes.ts";
import { echoWorkload, type Workload } from "./workloads.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
/** server-everything's entry point, started with `stdio`. */
export const everythingServer = join(root, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
/** flowgate's command-line entry point. */
export const flowgateBin = join(root, "bin/flowgate.js");
const STARTUP_TIMEOUT_MS = 30_000;

export interface RunningTarget {
  /** A new MCP session. */
  connect(): Promise<Client>;
  /** The gateway process, for RSS; undefined for the direct floor. */
  gatewayPid?: number;
  stop(): Promise<void>;
}

export interface Target {
  name: string;
  description: string;
  workload: Workload;
  start(): Promise<RunningTarget>;
}

function newClient(): Client {
  return new Client({ name: "flowgate-bench", version: "1.0.0" });
}

export async function connectHttp(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

export const direct: Target = {
  name: "direct",
  workload: echoWorkload,
  description: "SDK client to server-everything over stdio (the floor)",
  async start() {
    return {
      async connect() {
        const client = newClient();
        await client.connect(new StdioClientTransport({ command: process.execPath, args: [everythingServer, "stdio"], stderr: "ignore" }));
        return client;
      },
      async stop() {},
    };
  },
};

async function httpPeer(process: BenchProcess, url: string, ready: RegExp): Promise<RunningTarget> {
  try {
    await process.waitFor(ready, STARTUP_TIMEOUT_MS);
  } catch (error) {
    await process.kill();
    throw error;
  }
  return { connect: () => connectHttp(url), gatewayPid: process.pid, stop: () => process.kill() };
}

export const supergateway: Target = {
  name: "supergateway",
  workload: echoWorkload,
  description: "supergateway 4.0.0, stdio → streamable HTTP (stateful)",
  start() {
    // With logging off it prints nothing: readiness is the port accepting an MCP session.
    return startOnFreePort((port) => {
      const preload = join(root, "bench/lib/loopback-only.ts");
      return startProcess(process.execPath, [
        "--import",
        preload,
        join(root, "node_modules/supergateway/dist/index.js"),
        "--stdio",
        `${process.execPath} ${everythingServer} stdio`,
        "--outputTransport",
        "streamableHttp",
        "--stateful",
        "--logLevel",
        "none",
        "--port",
        String(port),
      ]);
    });
  },
};

export const mcpProxy: Target = {
  name: "mcp-proxy",
  workload: echoWorkload,
  description: "mcp-proxy 6.7.19, stdio → streamable HTTP",
  start() {
    return startOnFreePort((port) =>
      startProcess(process.execPath, [
        join(root, "node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs"),
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--server",
        "stream",
        "--",
        process.execPath,
        everythingServer,
        "stdio",
      ]),
    );
  },
};

export const httpFloor: Target = {
  name: "http-floor",
  workload: echoWorkload,
  description: "SDK client over streamable HTTP to a stub that answers echo from memory (no backend, no MCP library): the HTTP hop alone",
  start() {
    return startOnFreePort((port) => startProcess(process.execPath, [join(root, "bench/lib/http-floor-server.ts"), String(port)]));
  },
};

export const relayFloor: Target = {
  name: "relay-floor",
  workload: echoWorkload,
  description:
    "SDK client over streamable HTTP to a stub that relays each message to server-everything over stdio (ids mapped; no MCP library, logs, guard or DIFC): the least an HTTP → stdio gateway adds",
  start() {
    return startOnFreePort((port) => startProcess(process.execPath, [join(root, "bench/lib/relay-floor-server.ts"), String(port), everythingServer]));
  },
};

/**
 * Starts a peer that must be told its port on a port picked beforehand, and waits for it to serve
 * MCP at /mcp. A port taken in between (a client connection's source port: EADDRINUSE) is picked
 * again, at most three times.
 */
async function startOnFreePort(start: (port: number) => BenchProcess): Promise<RunningTarget> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = start(port);
    try {
      return await waitForHttpMcp(child, `http://127.0.0.1:${port}/mcp`);
    } catch (error) {
      if (attempt >= 3 || !child.output().includes("EADDRINUSE")) throw error;
    }
  }
}

/** Retries an MCP connect until it succeeds, the process exits, or the startup timeout passes. */
async function waitForHttpMcp(child: BenchProcess, url: string): Promise<RunningTarget> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    try {
      const probe = await connectHttp(url);
      await probe.close();
      break;
    } catch (error) {
      if (child.child.exitCode !== null || Date.now() > deadline) {
        await child.kill();
        throw new Error(`${url} did not come up: ${String(error)}\n${child.output().slice(-2000)}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return httpPeer(child, url, /(?:)/);
}

/** The client configuration document flowgate writes to stdout once it serves. */
export interface ClientConfigDocument {
  mcpServers: Record<string, { url: string; headers?: Record<string, string> }>;
}

/**
 * Starts flowgate from `checkout` (this repository unless another is given) on a config file of
 * `configToml`, and returns it once it has written its client configuration document. `nodeArgs`
 * go to the node that runs it, before the script (e.g. --expose-gc).
 */
export async function startFlowgate(
  configToml: string,
  checkout = root,
  nodeArgs: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: BenchProcess; document: ClientConfigDocument }> {
  const dir = await mkdtemp(join(tmpdir(), "flowgate-bench-"));
  const configPath = join(dir, "config.toml");
  await writeFile(configPath, configToml);
  // Port 0: a port picked beforehand can be taken by a client connection's source port before the gateway binds it
  // (seen as EADDRINUSE); the client configuration the gateway prints names the port it got.
  const child = startProcess(
    process.execPath,
    [...nodeArgs, join(checkout, "bin/flowgate.js"), "--config", configPath, "--listen", "127.0.0.1:0", "--log-dir", join(dir, "logs")],
    env,
  );
  try {
    const match = await child.waitFor(/^\{\n[\s\S]*?\n\}$/m, STARTUP_TIMEOUT_MS);
    return { child, document: JSON.parse(match[0]) as ClientConfigDocument };
  } catch (error) {
    await child.kill();
    throw error;
  }
}

export interface FlowgateTargetOptions {
  name: string;
  description: string;
  /** The config file's text, given the paths of server-everything and node. */
  configToml: (paths: { everything: string; node: string }) => string;
  /** The server the client connects to (routed mode: /mcp/<serverId>). */
  serverId?: string;
  workload?: Workload;
  /** Variables set for the gateway's process on top of the bench's own. */
  env?: Record<string, string>;
}

export function flowgateTarget({ name, description, configToml, serverId = "everything", workload = echoWorkload, env = {} }: FlowgateTargetOptions): Target {
  return {
    name,
    description,
    workload,
    async start() {
      const { child, document } = await startFlowgate(configToml({ everything: everythingServer, node: process.execPath }), root, [], {
        ...process.env,
        ...env,
      });
      const server = document.mcpServers[serverId];
      if (!server) {
        await child.kill();
        throw new Error(`flowgate did not list server '${serverId}' in its client configuration`);
      }
      return {
        connect: () => connectHttp(server.url, server.headers),
        gatewayPid: child.pid,
        stop: () => child.kill(),
      };
    },
  };
}

export const flowgateNoGuard = flowgateTarget({
  name: "flowgate",
  description: "flowgate routed, no guard, server-everything over stdio",
  configToml: ({ everything, node }) => `[gateway]
agent_id = "bench-agent"

[servers.everything]
command = ${JSON.stringify(node)}
args = [${JSON.stringify(everything)}, "stdio"]
`,
});

/** flowgate routed, server `everything` (server-everything over stdio) behind the pass-through WASM guard. */
export function guardedEverythingToml({ everything, node }: { everything: string; node: string }): string {
  return `[gateway]
agent_id = "bench-agent"

[servers.everything]
command = ${JSON.stringify(node)}
args = [${JSON.stringify(everything)}, "stdio"]
guard = "pass"

[guards.pass]
type = "wasm"
path = ${JSON.stringify(join(root, "guards/passthrough/build/passthrough.wasm"))}

[guards.pass.policy.allow-only]
repos = "all"
min-integrity = "none"
`;
}

export const flowgateGuarded = flowgateTarget({
  name: "flowgate+guard",
  description: "flowgate routed, pass-through WASM guard (full pipeline) in front of server-everything over stdio",
  configToml: guardedEverythingToml,
});

/** flowgate+guard with every tools/call through the SDK's Protocol: the before of the fast path, for `--only` A/B runs. */
export const flowgateGuardedSdkToolsCall = flowgateTarget({
  name: "flowgate+guard/sdk-tools-call",
  description: "flowgate+guard with the tools/call fast path off (FLOWGATE_TOOLS_CALL_FAST_PATH=off)",
  configToml: guardedEverythingToml,
  env: { FLOWGATE_TOOLS_CALL_FAST_PATH: "off" },
});

/** flowgate+guard as Node sizes its heap by itself (no heap flags from bin/flowgate.js), for `--only` A/B runs of the heap settings. */
export const flowgateGuardedNodeFlagsOff = flowgateTarget({
  name: "flowgate+guard/node-flags-off",
  description: "flowgate+guard without bin/flowgate.js's V8 heap flags (FLOWGATE_NODE_FLAGS=off)",
  configToml: guardedEverythingToml,
  env: { FLOWGATE_NODE_FLAGS: "off" },
});

/** flowgate+guard with a young generation of 2 × 4 MiB semi-spaces instead of flowgate's 2 × 8 MiB, for `--only` A/B runs. */
export const flowgateGuardedSemiSpace4 = flowgateTarget({
  name: "flowgate+guard/semi-space-4",
  description: "flowgate+guard with NODE_OPTIONS=--max-semi-space-size=4",
  configToml: guardedEverythingToml,
  env: { NODE_OPTIONS: "--max-semi-space-size=4" },
});
