import { createInterface, type Interface } from "node:readline";
import type { Readable } from "node:stream";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { StdioServerConfig } from "../config/types.ts";
import type { GatewayLogger } from "../log/types.ts";
import { serverEnvironment } from "./early-process.ts";
import { expandEnvPassthrough } from "./env-passthrough.ts";

/** One env passthrough line of a launch: to the gateway's stderr and the server's log. */
export function reportLaunchLine(server: StdioServerConfig, logger: GatewayLogger, stderrLine: (line: string) => void, line: string): void {
  stderrLine(line);
  logger.server(server.id, line.startsWith("✗") ? "warn" : "info", "backend", line);
}

/** The server's stderr, line by line, to its log, so that a crash leaves its reason behind. */
export function logServerStderr(server: StdioServerConfig, logger: GatewayLogger, lines: Interface): void {
  lines.on("line", (line) => logger.server(server.id, "info", "backend", `[stderr] ${line}`));
}

/** A transport that spawns the server's command with serverEnvironment(server). */
export function stdioTransport(server: StdioServerConfig, logger: GatewayLogger, stderrLine: (line: string) => void): StdioClientTransport {
  const transport = new StdioClientTransport({
    command: server.command,
    args: expandEnvPassthrough(server.args, process.env, (line) => reportLaunchLine(server, logger, stderrLine, line)),
    env: serverEnvironment(server),
    stderr: "pipe",
    ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
  });
  const stderr = transport.stderr as Readable | null;
  if (stderr) logServerStderr(server, logger, createInterface({ input: stderr }));
  return transport;
}
