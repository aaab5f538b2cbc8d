import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  McpError,
  ProgressNotificationSchema,
  type Implementation,
} from "@modelcontextprotocol/sdk/types.js";
import type { ServerConfig } from "../config/index.ts";
import type { GatewayLogger } from "../log/index.ts";
import type { ClientSide } from "./client-side.ts";
import { attachDirectRequests, type DirectRequests } from "./direct-requests.ts";
import { BACKEND_TIMEOUT, BackendError } from "./errors.ts";
import { connectHttp } from "./http-transport.ts";
import { PlainJsonRpcTransport } from "./plain-jsonrpc-transport.ts";
import { PrestartedTransport, type StartedStdioTransport } from "./prestarted-transport.ts";
import { sharedSchemaValidator } from "./schema-validator.ts";
import { stderrServesAgent, stdioTransport } from "./stdio-transport.ts";

/** One live MCP client connection to a backend. */
export interface BackendConnection {
  client: Client;
  /** tools/call outside the SDK's Protocol (src/backends/direct-requests.ts); undefined when switched off. */
  direct?: DirectRequests;
  /** The backend process, for stdio servers. */
  pid: number | undefined;
  /** Resolves once the connection is gone, for whatever reason. */
  closed: Promise<void>;
  /** Ends the connection; a stdio backend gets `signal` (SIGKILL for one that is hung). */
  close(signal?: NodeJS.Signals): Promise<void>;
}

export interface ConnectOptions {
  clientInfo: Implementation;
  logger: GatewayLogger;
  startupTimeoutMs: number;
  /** Milliseconds between pings to HTTP backends; 0 or less disables them. */
  keepaliveMs: number;
  clientSide?: ClientSide;
  /** Writes one line to the gateway's stderr (launch diagnostics the reference prints there). */
  stderrLine?: (line: string) => void;
  /** Bytes of the longest message read from a stdio server (--max-message-size). */
  maxMessageBytes: number;
  /** Whether tools/call requests may go outside the SDK's Protocol (src/backends/direct-requests.ts). */
  directToolCalls?: boolean;
  /** A stdio server's process already spawned for this connection (see Backend's spare and early process). */
  prestarted?: StartedStdioTransport;
}

export async function openConnection(server: ServerConfig, options: ConnectOptions): Promise<BackendConnection> {
  const makeClient = () => newClient(options);
  let client: Client;
  let pid: number | undefined;
  if (server.type === "stdio") {
    client = makeClient();
    const transport = options.prestarted ?? stdioTransport(server, options.logger, options.stderrLine ?? (() => undefined), options.maxMessageBytes);
    const agentHoldsSecrets = options.clientSide?.agentHoldsSecrets?.bind(options.clientSide);
    if (agentHoldsSecrets) stderrServesAgent(transport, agentHoldsSecrets);
    try {
      await client.connect(options.prestarted ? new PrestartedTransport(transport) : transport, { timeout: options.startupTimeoutMs });
    } catch (error) {
      const timedOut = error instanceof McpError && error.code === ErrorCode.RequestTimeout;
      // A server that did not answer initialize in time is hung: it would not heed a closed stdin either.
      if (timedOut && transport.pid !== null && transport.pid !== undefined) signalProcess(transport.pid, "SIGKILL");
      await client.close().catch(() => undefined);
      if (!timedOut) throw error;
      const seconds = options.startupTimeoutMs / 1000;
      throw new BackendError(
        BACKEND_TIMEOUT,
        server.id,
        `backend "${server.id}" did not start within the startup timeout (${seconds} s); its process was killed`,
      );
    }
    pid = transport.pid ?? undefined;
  } else {
    client = await connectHttp(server, makeClient, options.logger);
  }
  const closed = new Promise<void>((resolve) => {
    client.onclose = resolve;
  });
  // Plain JSON-RPC is not an MCP transport in the reference and gets no pings, which such servers may not know.
  const pinged = server.type === "http" && options.keepaliveMs > 0 && !(client.transport instanceof PlainJsonRpcTransport);
  const keepalive = pinged ? startKeepalive(client, options.keepaliveMs) : undefined;
  void closed.then(() => clearInterval(keepalive));
  let direct: DirectRequests | undefined;
  try {
    if (options.directToolCalls) direct = attachDirectRequests(client);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return {
    client,
    ...(direct ? { direct } : {}),
    pid,
    closed,
    close: async (signal = "SIGTERM") => {
      clearInterval(keepalive);
      // Like the reference, which cancels the process's context: not every server exits when its stdin closes.
      if (pid !== undefined) signalProcess(pid, signal);
      await client.close();
    },
  };
}

function newClient(options: ConnectOptions): Client {
  const { tasks: _tasks, ...capabilities } = options.clientSide?.capabilities ?? {};
  const client = new Client(options.clientInfo, { capabilities, jsonSchemaValidator: sharedSchemaValidator() });
  const side = options.clientSide;
  if (!side) return client;
  if (capabilities.sampling) client.setRequestHandler(CreateMessageRequestSchema, (req, extra) => side.request(req, extra.signal) as never);
  if (capabilities.elicitation) client.setRequestHandler(ElicitRequestSchema, (req, extra) => side.request(req, extra.signal) as never);
  if (capabilities.roots) client.setRequestHandler(ListRootsRequestSchema, (req, extra) => side.request(req, extra.signal) as never);
  client.fallbackNotificationHandler = (notification) => side.notify(notification);
  // Progress carries the agent's own token and goes straight back to it. The SDK's progress
  // callbacks would drop the last update whenever it arrives together with the result.
  client.setNotificationHandler(ProgressNotificationSchema, (notification) => side.notify(notification));
  return client;
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function startKeepalive(client: Client, intervalMs: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    // A backend that cannot answer a ping is treated as gone, so the next call reconnects.
    client.ping({ timeout: intervalMs }).catch(() => client.close().catch(() => undefined));
  }, intervalMs);
  timer.unref();
  return timer;
}
