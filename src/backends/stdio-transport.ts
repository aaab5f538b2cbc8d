import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { StdioServerConfig } from "../config/types.ts";
import type { GatewayLogger } from "../log/types.ts";
import { expandEnvPassthrough } from "./env-passthrough.ts";

/**
 * A transport that spawns the server's command. The environment is the gateway's own plus the
 * server's `env` (later wins), as the reference does; stderr goes line by line to the server's log
 * so a crash leaves its reason behind.
 */
export function stdioTransport(server: StdioServerConfig, logger: GatewayLogger, stderrLine: (line: string) => void): StdioClientTransport {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  Object.assign(env, server.env);
  const transport = new StdioClientTransport({
    command: server.command,
    args: expandEnvPassthrough(server.args, process.env, (line) => {
      stderrLine(line);
      logger.server(server.id, line.startsWith("✗") ? "warn" : "info", "backend", line);
    }),
    env,
    stderr: "pipe",
    ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
  });
  const stderr = transport.stderr as Readable | null;
  if (stderr) {
    createInterface({ input: stderr }).on("line", (line) => {
      logger.server(server.id, "info", "backend", `[stderr] ${line}`);
    });
  }
  return transport;
}
