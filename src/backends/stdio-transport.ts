import { createInterface, type Interface } from "node:readline";
import type { Readable } from "node:stream";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { StdioServerConfig } from "../config/index.ts";
import { secrecyMarker, type GatewayLogger } from "../log/index.ts";
import { serverEnvironment } from "./early-process.ts";
import { refusalReporter } from "./bad-message.ts";
import { BoundedMessageReader } from "./message-reader.ts";
import { expandEnvPassthrough } from "./env-passthrough.ts";

/** One env passthrough line of a launch: to the gateway's stderr and the server's log. */
export function reportLaunchLine(server: StdioServerConfig, logger: GatewayLogger, stderrLine: (line: string) => void, line: string): void {
  stderrLine(line);
  logger.server(server.id, line.startsWith("✗") ? "warn" : "info", "backend", line);
}

/** The agent each process serves, by its transport: set once the process is handed to an agent's connection. */
const servedAgents = new WeakMap<object, () => Promise<boolean>>();

/** From now on the stderr of `transport`'s process is logged as a redaction marker whenever `agentHoldsSecrets` says so. */
export function stderrServesAgent(transport: object, agentHoldsSecrets: () => Promise<boolean>): void {
  // An agent's secrecy tags only grow while the gateway runs: once tainted, its lines need no more questions of the store.
  let tainted = false;
  servedAgents.set(transport, async () => (tainted ||= await agentHoldsSecrets()));
}

/**
 * The server's stderr, line by line, to its log, so that a crash leaves its reason behind. A
 * process serves one agent (connections are pooled per agent), and may echo what that agent
 * sent: while the agent holds secrecy tags, each line is logged as a redaction marker, as its
 * calls' records are. Lines wait on the answer in order; an unanswerable question redacts.
 */
export function logServerStderr(server: StdioServerConfig, logger: GatewayLogger, lines: Interface, transport: object): void {
  let previous: Promise<void> = Promise.resolve();
  lines.on("line", (line) => {
    const holdsSecrets =
      servedAgents
        .get(transport)?.()
        .catch(() => true) ?? Promise.resolve(false);
    previous = Promise.all([previous, holdsSecrets]).then(([, secret]) =>
      logger.server(server.id, "info", "backend", `[stderr] ${secret ? secrecyMarker(line) : line}`),
    );
  });
}

/**
 * Reads a stdio server's messages, each at most `maxMessageBytes` long; a longer one, or one the
 * JSON-RPC message schema refuses, fails only the call it answers, and is logged.
 */
export function messageReader(server: StdioServerConfig, logger: GatewayLogger, maxMessageBytes: number): BoundedMessageReader {
  const oversized = (bytes: number) => {
    const text = `backend "${server.id}" sent a message of ${bytes} bytes, over the gateway's limit of ${maxMessageBytes} bytes per message (--max-message-size); it was dropped`;
    logger.server(server.id, "warn", "backend", text);
    return text;
  };
  return new BoundedMessageReader(maxMessageBytes, oversized, refusalReporter(server.id, logger));
}

/** A transport that spawns the server's command with serverEnvironment(server). */
export function stdioTransport(
  server: StdioServerConfig,
  logger: GatewayLogger,
  stderrLine: (line: string) => void,
  maxMessageBytes: number,
): StdioClientTransport {
  const transport = new StdioClientTransport({
    command: server.command,
    args: expandEnvPassthrough(server.args, process.env, (line) => reportLaunchLine(server, logger, stderrLine, line)),
    env: serverEnvironment(server),
    stderr: "pipe",
    ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
  });
  // The SDK's own reader closes the whole connection on one message over its fixed 10 MiB; its
  // field is private in the SDK's types, so its presence is checked rather than assumed.
  const internals = transport as unknown as Record<string, unknown>;
  if (!("_readBuffer" in internals)) throw new Error("StdioClientTransport has no _readBuffer: the SDK changed; update stdioTransport");
  internals["_readBuffer"] = messageReader(server, logger, maxMessageBytes);
  const stderr = transport.stderr as Readable | null;
  if (stderr) logServerStderr(server, logger, createInterface({ input: stderr }), transport);
  return transport;
}
