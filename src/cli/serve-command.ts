// The root command's flags: `flowgate [flags]` loads the configuration (TOML file or JSON on
// stdin), resolves flags and environment variables, and hands both to the gateway's `serve`.
// Any configuration problem ends the run with `failed to load config: …` and exit code 1
// before anything starts.

import { readFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import { DEFAULT_LIMITS, loadEnvFile, loadJsonConfig, loadTomlConfig, type GatewayConfig, type RuntimeOptions } from "../config/index.ts";
// Lazy: from their own modules rather than guard/index.ts: the whole guard host is not needed
// (nor worth its import time) before the configuration is read.
import { GUARDS_DIR_ENV } from "../guard/discovery.ts";
// Lazy: as above.
import { bootSpareWorker } from "../guard/worker-spare.ts";
import { CliExit, type CliIO } from "./io.ts";
import { applyOverrides, DEFAULT_LISTEN, DEFAULT_LOG_DIR, resolveFlagSettings, type ServeFlags } from "./serve-options.ts";

export type ServeFunction = (config: GatewayConfig, runtime: RuntimeOptions) => Promise<number>;

/** What the command reads besides its flags; tests pass their own. */
export interface ServeInputs {
  readStdin: () => Promise<string>;
  /** The process environment: the --env file is loaded into it, config `${VAR}`s read from it. */
  env: Record<string, string | undefined>;
}

export async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

const processInputs: ServeInputs = { readStdin: () => readAll(process.stdin), env: process.env };

function addServeOptions(program: Command): void {
  const increment = (_: string, previous: number): number => previous + 1;
  program
    .option("-c, --config <file>", "TOML configuration file")
    .option("--config-stdin", "read the JSON configuration from stdin (wins over --config)")
    .option("-l, --listen <host:port>", `address to listen on (default ${DEFAULT_LISTEN})`)
    .addOption(new Option("--routed", "one MCP endpoint per server, /mcp/<serverID> (the default)").conflicts("unified"))
    .addOption(new Option("--unified", "one MCP endpoint, /mcp, with <serverID>___<tool> names").conflicts("routed"))
    .option("--env <file>", ".env file of KEY=VALUE lines loaded before the configuration")
    .option("-v, --verbose", "more output (repeat for more)", increment, 0)
    .option("--log-dir <dir>", `log directory (env MCP_GATEWAY_LOG_DIR, default ${DEFAULT_LOG_DIR})`)
    .option(
      "--log-payloads <which>",
      "redacted: payloads that may carry secret data are logged as their size and sha256; all: logged whole (env MCP_GATEWAY_LOG_PAYLOADS, default redacted)",
    )
    .option("--payload-dir <dir>", "where large tool results are written (env MCP_GATEWAY_PAYLOAD_DIR)")
    .option("--payload-path-prefix <prefix>", "path prefix of payloadPath in results (env MCP_GATEWAY_PAYLOAD_PATH_PREFIX)")
    .option("--payload-size-threshold <bytes>", "results larger than this go to disk (env MCP_GATEWAY_PAYLOAD_SIZE_THRESHOLD, default 524288)")
    .option(
      "--url-domain-audit",
      "record the domains of URLs in tool results and write-sink arguments in observed-url-domains.json (env MCP_GATEWAY_URL_DOMAIN_AUDIT)",
    )
    .option("--guards-mode <mode>", "strict, filter or propagate (env MCP_GATEWAY_GUARDS_MODE, default strict)")
    .option("--guards-sink-server-ids <ids>", "comma-separated server ids whose RPC log records carry agent labels (env MCP_GATEWAY_GUARDS_SINK_SERVER_IDS)")
    .option("--guard-policy-json <json>", "guard policy applied to every server (env MCP_GATEWAY_GUARD_POLICY_JSON)")
    .option("--allowonly-scope-public", "global allow-only policy over public repositories (env MCP_GATEWAY_ALLOWONLY_SCOPE_PUBLIC)")
    .option("--allowonly-scope-owner <owner>", "global allow-only policy over one owner's repositories (env MCP_GATEWAY_ALLOWONLY_SCOPE_OWNER)")
    .option("--allowonly-scope-repo <repo>", "narrows the owner scope to one repository (env MCP_GATEWAY_ALLOWONLY_SCOPE_REPO)")
    .option("--allowonly-min-integrity <level>", "none, unapproved, approved or merged (env MCP_GATEWAY_ALLOWONLY_MIN_INTEGRITY)")
    .option("--sequential-launch", "start the servers one after another instead of in parallel")
    .option("--shutdown-timeout <duration>", "graceful shutdown limit, e.g. 5s (env MCP_GATEWAY_SHUTDOWN_TIMEOUT, default 5s)")
    .option(
      "--max-agents-per-server <n>",
      `agents with their own connection (stdio: process) to one server at once (default ${DEFAULT_LIMITS.maxAgentsPerServer})`,
    )
    .option("--max-message-size <bytes>", `largest request body, and largest message from a stdio server (default ${DEFAULT_LIMITS.maxMessageBytes})`)
    .option("--request-timeout <duration>", `time a client has to send a whole request (default ${DEFAULT_LIMITS.requestTimeoutMs / 1000}s)`)
    .option("--headers-timeout <duration>", `time a client has to send a request's headers (default ${DEFAULT_LIMITS.headersTimeoutMs / 1000}s)`)
    .option("--otlp-endpoint <url>", "OTLP/HTTP collector endpoint to export traces to; none: tracing is off (env OTEL_EXPORTER_OTLP_ENDPOINT)")
    .option("--otlp-service-name <name>", "service.name of the exported traces (env OTEL_SERVICE_NAME, default mcp-gateway)")
    .option("--otlp-sample-rate <rate>", "share of traces exported, 0 to 1 (default 1.0)")
    .option(
      "--state-url <url>",
      "share the DIFC state with other replicas in Redis/Valkey: redis://host:port or unix:///path/redis.sock (default: this process's memory)",
    )
    .option(
      "--metrics-listen <host:port>",
      "serve Prometheus metrics at GET /metrics on this address, apart from /mcp (env FLOWGATE_METRICS_LISTEN, default off)",
    );
}

function failWith(io: CliIO, message: string): never {
  io.err(`${message}\n`);
  throw new CliExit(1, message);
}

/** The configuration --config-stdin or --config names; throws a message that says what is wrong and where. */
export async function loadConfig(flags: Pick<ServeFlags, "config" | "configStdin">, inputs: ServeInputs): Promise<GatewayConfig> {
  if (flags.configStdin) {
    const json = await inputs.readStdin();
    prefetchGuardWorker(json, inputs.env);
    return loadJsonConfig(json, inputs.env);
  }
  const path = flags.config as string;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read configuration file ${path}: ${(error as Error).message}`, { cause: error });
  }
  prefetchGuardWorker(text, inputs.env);
  return loadTomlConfig(text, inputs.env);
}

/**
 * A configuration that may load a WASM guard gets the guard host's worker booting while it is
 * parsed and validated, which takes about as long: the first guard then loads into a booted
 * worker. A hint only: a wrong guess costs one idle worker thread.
 */
function prefetchGuardWorker(configText: string, env: NodeJS.ProcessEnv): void {
  if (/wasm/i.test(configText) || (env[GUARDS_DIR_ENV] ?? "") !== "") bootSpareWorker();
}

/** Makes `serve` the program's own action, with the reference's root flags. */
export function registerServeCommand(program: Command, io: CliIO, serve: ServeFunction, inputs: ServeInputs = processInputs): void {
  addServeOptions(program);
  program.action(async () => {
    const flags = program.opts<ServeFlags>();
    if (!flags.configStdin && flags.config === undefined) {
      failWith(io, "a configuration is required: pass --config <file.toml> or --config-stdin (JSON on stdin)");
    }
    let settings;
    try {
      if (flags.env !== undefined) loadEnvFile(flags.env, inputs.env);
      settings = resolveFlagSettings(flags, inputs.env);
    } catch (error) {
      failWith(io, (error as Error).message);
    }
    io.err(`Reading configuration from ${settings.configSource}...\n`);
    let loaded: GatewayConfig;
    try {
      loaded = await loadConfig(flags, inputs);
    } catch (error) {
      failWith(io, `failed to load config: ${(error as Error).message}`);
    }
    let resolved;
    try {
      resolved = applyOverrides(loaded, settings, flags, inputs.env);
    } catch (error) {
      failWith(io, (error as Error).message);
    }
    const code = await serve(resolved.config, resolved.runtime);
    if (code !== 0) throw new CliExit(code);
  });
}
