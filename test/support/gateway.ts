import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { DEFAULT_LIMITS } from "../../src/config/defaults.ts";
import type { GatewayConfig, GatewaySettings, RuntimeOptions, ServerConfig } from "../../src/config/types.ts";
import { serveGateway, type GatewayOptions } from "../../src/gateway/index.ts";
import { RecordingLogger } from "./recording-logger.ts";

export const TEST_VERSION = "9.8.7";

export function gatewayConfig(servers: ServerConfig[], gateway: Partial<GatewaySettings> = {}): GatewayConfig {
  return {
    gateway: {
      port: 3000,
      startupTimeout: 30,
      toolTimeout: 60,
      keepaliveInterval: 1500,
      payloadDir: join(tmpdir(), "flowgate-payloads"),
      payloadSizeThreshold: 524288,
      forcePublicRepos: false,
      ...gateway,
    },
    servers,
    guards: {},
    sequentialLaunch: false,
    warnings: [],
  };
}

export function runtimeOptions(overrides: Partial<RuntimeOptions> = {}): RuntimeOptions {
  return {
    configSource: "test",
    listenHost: "127.0.0.1",
    listenPort: 0,
    mode: "routed",
    logDir: mkdtempSync(join(tmpdir(), "flowgate-logs-")),
    verbosity: 0,
    guardsMode: "strict",
    sinkServerIds: [],
    urlDomainAudit: false,
    sessionTimeoutMs: 6 * 60 * 60 * 1000,
    shutdownTimeoutMs: 5000,
    limits: DEFAULT_LIMITS,
    ...overrides,
  };
}

export interface ClientEntry {
  type: string;
  url: string;
  /** Authorization, and any header a test adds to it (X-Agent-ID). */
  headers: { Authorization: string; [name: string]: string };
  tools?: string[];
}

export interface RunningGateway {
  /** The parsed stdout document: everything an agent is told. */
  document: { mcpServers: Record<string, ClientEntry> };
  stdout: string;
  stderr(): string;
  logger: RecordingLogger;
  /** The serveGateway() promise: resolves with the exit code. */
  exit: Promise<number>;
  /** The gateway's base URL, from the stdout document. */
  baseUrl: string;
  entry(serverId: string): ClientEntry;
  stop(): Promise<number>;
}

export interface RunGatewayOptions extends Pick<
  GatewayOptions,
  "enforcement" | "clock" | "jqTimeoutMs" | "healthCheckIntervalMs" | "breakerBoard" | "observer" | "env"
> {
  /**
   * The gateway writes its real log files in runtime.logDir, opened and closed by the gateway as
   * the CLI's are, for tests of what those files hold; `logger` then records nothing.
   */
  fileLogs?: boolean;
}

/**
 * Serves a gateway as the CLI would, without guards unless `extra.enforcement` puts a middleware
 * in their place (`enforcement: undefined` given explicitly: the configured guards, as the CLI
 * runs them), and returns once the client configuration is on stdout.
 */
export async function runGateway(config: GatewayConfig, runtime: RuntimeOptions = runtimeOptions(), extra: RunGatewayOptions = {}): Promise<RunningGateway> {
  const { fileLogs = false, ...options } = extra;
  const logger = new RecordingLogger();
  let stdout = "";
  let stderr = "";
  let written: () => void = () => undefined;
  const documentWritten = new Promise<void>((resolve) => (written = resolve));
  const controller = new AbortController();
  const exit = serveGateway(config, runtime, {
    io: { out: (text) => ((stdout += text), written()), err: (text) => void (stderr += text) },
    ...(fileLogs ? {} : { logger }),
    version: TEST_VERSION,
    signal: controller.signal,
    enforcement: false,
    ...options,
  });
  await Promise.race([
    documentWritten,
    exit.then((code) => {
      throw new Error(`gateway exited with ${code} before writing its configuration:\n${stderr}`);
    }),
  ]);
  const document = JSON.parse(stdout) as RunningGateway["document"];
  const first = Object.values(document.mcpServers)[0];
  const baseUrl = first ? new URL(first.url).origin : "";
  return {
    document,
    stdout,
    stderr: () => stderr,
    logger,
    exit,
    baseUrl,
    entry: (serverId) => {
      const entry = document.mcpServers[serverId];
      if (!entry) throw new Error(`no ${serverId} in the client configuration`);
      return entry;
    },
    stop: async () => {
      controller.abort();
      return exit;
    },
  };
}

/** An SDK client configured only from one stdout entry, as an agent would be. */
export async function connectAgent(entry: ClientEntry, capabilities: ClientCapabilities = {}): Promise<Client> {
  const client = new Client({ name: "test-agent", version: "1.0.0" }, { capabilities });
  await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } }));
  return client;
}

/**
 * An SDK client of one routed server of a gateway started in this process, as an agent with the
 * gateway's key, its tools listed first as real clients do.
 */
export async function connectRouted(gateway: { port: number; agentId: string }, serverId: string, name = "test-agent"): Promise<Client> {
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${gateway.port}/mcp/${serverId}`), {
      requestInit: { headers: { Authorization: gateway.agentId } },
    }),
  );
  await client.listTools();
  return client;
}
