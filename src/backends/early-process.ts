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

export class EarlyProcess {
  readonly server: StdioServerConfig;
  readonly child: ChildProcess;
  /** The env passthrough lines of the launch, to be logged once a logger exists. */
  readonly launchLines: string[] = [];
  /** Resolves once the process runs; rejects with the spawn error (e.g. ENOENT for a missing command). */
  readonly spawned: Promise<void>;
  /** True once the process has exited and its output streams are closed. */
  closed = false;

  constructor(server: StdioServerConfig) {
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
  }

  /** Stops the process if it still runs (nothing adopted it, or the start is abandoned). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
  }
}

/**
 * Spawns the stdio servers' processes of a validated configuration: all of them, or only the first
 * server's with sequential launch, which starts one server after the other.
 */
export function spawnEarlyProcesses(config: GatewayConfig): Map<string, EarlyProcess> {
  const servers = config.sequentialLaunch ? config.servers.slice(0, 1) : config.servers;
  const processes = new Map<string, EarlyProcess>();
  for (const server of servers) if (server.type === "stdio") processes.set(server.id, new EarlyProcess(server));
  return processes;
}
