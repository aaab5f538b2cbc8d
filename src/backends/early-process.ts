// A stdio server's process spawned as soon as the configuration is valid, before the MCP SDK and
// the gateway's modules are loaded: the server's own start (about half a second for a Node server)
// then overlaps flowgate's. Only node:child_process is imported here, because the SDK's stdio
// transport alone costs about 100 ms to import. Startup discovery adopts the process
// (adopted-transport.ts), so it is the one that answers initialize and tools/list.
import { spawn, type ChildProcess } from "node:child_process";
import type { GatewayConfig, StdioServerConfig } from "../config/index.ts";
import { expandEnvPassthrough } from "./env-passthrough.ts";

/** The environment a stdio server runs with: the gateway's own plus the server's `env` (later wins), as the reference does. */
export function serverEnvironment(server: StdioServerConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return Object.assign(env, server.env);
}

/**
 * The protocol version the SDK's Client asks for in initialize (its LATEST_PROTOCOL_VERSION),
 * written out here so that the early initialize needs no SDK import;
 * test/backends/early-process.test.ts checks that the Client's request is answered from it.
 */
const CLIENT_PROTOCOL_VERSION = "2025-11-25";

/**
 * The id of the initialize request sent at spawn: a number, which every server takes (some take
 * no strings), that the Client's ids (0, 1, 2, … per connection) never reach.
 */
export const EARLY_INITIALIZE_ID = 2 ** 31 - 1;

export class EarlyProcess {
  readonly server: StdioServerConfig;
  readonly child: ChildProcess;
  /**
   * The params of the initialize request written to the process at spawn, as the SDK's Client
   * sends them for discovery (no capabilities); undefined when none was sent.
   */
  readonly initializeParams: Record<string, unknown> | undefined;
  /** The env passthrough lines of the launch, to be logged once a logger exists. */
  readonly launchLines: string[] = [];
  /** Resolves once the process runs; rejects with the spawn error (e.g. ENOENT for a missing command). */
  readonly spawned: Promise<void>;
  /** True once the process has exited and its output streams are closed. */
  closed = false;

  /**
   * With `clientInfo` (discovery's), the initialize request goes out at once: the server answers
   * it as soon as it has started, while the gateway's modules are still loading, and discovery's
   * Client then gets that answer without a round trip of its own (adopted-transport.ts).
   */
  constructor(server: StdioServerConfig, clientInfo?: { name: string; version: string }) {
    this.server = server;
    const args = expandEnvPassthrough(server.args, process.env, (line) => this.launchLines.push(line));
    this.child = spawn(server.command, args, {
      env: serverEnvironment(server),
      stdio: ["pipe", "pipe", "pipe"],
      ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
    });
    this.spawned = new Promise((resolve, reject) => {
      this.child.once("spawn", resolve);
      this.child.once("error", reject);
    });
    // Nobody may be waiting yet: the adopting transport reads the outcome.
    this.spawned.catch(() => undefined);
    this.child.once("close", () => (this.closed = true));
    // A write to a server that died before it was adopted must not throw in this process.
    this.child.stdin?.on("error", () => undefined);
    this.initializeParams = clientInfo && { protocolVersion: CLIENT_PROTOCOL_VERSION, capabilities: {}, clientInfo };
    if (this.initializeParams) {
      this.child.stdin?.write(`${JSON.stringify({ jsonrpc: "2.0", id: EARLY_INITIALIZE_ID, method: "initialize", params: this.initializeParams })}\n`);
    }
  }

  /** Stops the process if it still runs (nothing adopted it, or the start is abandoned). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
  }
}

/**
 * Spawns the stdio servers' processes of a validated configuration: all of them, or only the first
 * server's with sequential launch, which starts one server after the other. With `clientInfo`,
 * each is sent discovery's initialize at once (see EarlyProcess).
 */
export function spawnEarlyProcesses(config: GatewayConfig, clientInfo?: { name: string; version: string }): Map<string, EarlyProcess> {
  const servers = config.sequentialLaunch ? config.servers.slice(0, 1) : config.servers;
  const processes = new Map<string, EarlyProcess>();
  for (const server of servers) if (server.type === "stdio") processes.set(server.id, new EarlyProcess(server, clientInfo));
  return processes;
}
