// Resolves the serve command's flags and environment variables into RuntimeOptions, and applies
// the ones that override config values, with the reference's precedence (gateway.md §1.2, §1.4,
// §1.6 steps 7–8). Pure: the caller passes the environment.

import {
  DEFAULT_LIMITS,
  DEFAULT_OTEL_SERVICE_NAME,
  DEFAULT_PAYLOAD_DIR,
  DEFAULT_PAYLOAD_SIZE_THRESHOLD,
  type GatewayConfig,
  type GatewayLimits,
  type GuardsMode,
  type OpenTelemetryConfig,
  type RuntimeOptions,
} from "../config/index.ts";
import { envBoolean, positiveDuration, positiveInteger } from "./env-values.ts";
import { resolveGuardPolicyOverride } from "./guard-policy-override.ts";

/** The serve command's options as commander parses them; undefined means "not on the command line". */
export interface ServeFlags {
  config?: string;
  configStdin?: boolean;
  listen?: string;
  routed?: boolean;
  unified?: boolean;
  env?: string;
  verbose?: number;
  logDir?: string;
  logPayloads?: string;
  payloadDir?: string;
  payloadPathPrefix?: string;
  payloadSizeThreshold?: string;
  urlDomainAudit?: boolean;
  guardsMode?: string;
  guardsSinkServerIds?: string;
  guardPolicyJson?: string;
  allowonlyScopePublic?: boolean;
  allowonlyScopeOwner?: string;
  allowonlyScopeRepo?: string;
  allowonlyMinIntegrity?: string;
  sequentialLaunch?: boolean;
  shutdownTimeout?: string;
  maxAgentsPerServer?: string;
  maxMessageSize?: string;
  requestTimeout?: string;
  headersTimeout?: string;
  stateUrl?: string;
  metricsListen?: string;
  otlpEndpoint?: string;
  otlpServiceName?: string;
  otlpSampleRate?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_LISTEN = "127.0.0.1:3000";
export const DEFAULT_LOG_DIR = "/tmp/gh-aw/mcp-logs";
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5_000;
const DEFAULT_SESSION_TIMEOUT_MS = 6 * 3_600_000;
const GUARDS_MODES: readonly GuardsMode[] = ["strict", "filter", "propagate"];

/** MCP_GATEWAY_SHUTDOWN_TIMEOUT as a positive Go duration, else 5 s (a bad value too, as the reference does); `proxy` has no flag for it. */
export function envShutdownTimeoutMs(env: Env): number {
  return positiveDuration(env["MCP_GATEWAY_SHUTDOWN_TIMEOUT"]) ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
}

function isGuardsMode(value: string | undefined): value is GuardsMode {
  return (GUARDS_MODES as readonly (string | undefined)[]).includes(value);
}

/** "host:port", "[v6]:port" or ":port" (all interfaces); `flag` names where a bad address came from. */
export function parseListen(address: string, flag = "--listen", example = DEFAULT_LISTEN): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  const portText = address.slice(colon + 1);
  const port = Number(portText);
  if (colon < 0 || !/^\d+$/.test(portText) || port > 65535) {
    throw new Error(`invalid ${flag} address "${address}": expected host:port with a port from 0 to 65535, e.g. ${example}`);
  }
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { host: host === "" ? "0.0.0.0" : host, port };
}

function isLogPayloads(value: string | undefined): value is "redacted" | "all" {
  return value === "redacted" || value === "all";
}

function sinkServerIds(list: string | undefined): string[] {
  const ids = (list ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
  const bad = ids.find((id) => /\s/.test(id));
  if (bad !== undefined)
    throw new Error(`invalid --guards-sink-server-ids: server id "${bad}" contains whitespace (expected a comma-separated list of server ids)`);
  return ids;
}

/** What flags and environment decide before the config is read; throws on an invalid flag. */
export type FlagSettings = Omit<RuntimeOptions, "guardsMode"> & { guardsMode?: GuardsMode };

function thresholdFlag(flags: ServeFlags): number | undefined {
  if (flags.payloadSizeThreshold === undefined) return undefined;
  const threshold = positiveInteger(flags.payloadSizeThreshold);
  if (threshold === undefined) throw new Error(`invalid --payload-size-threshold "${flags.payloadSizeThreshold}": expected a positive whole number of bytes`);
  return threshold;
}

function limitFlags(flags: ServeFlags): GatewayLimits {
  const count = (text: string | undefined, flag: string, unit: string, fallback: number): number => {
    if (text === undefined) return fallback;
    const value = positiveInteger(text);
    if (value === undefined) throw new Error(`invalid ${flag} "${text}": expected a positive whole number of ${unit}`);
    return value;
  };
  const duration = (text: string | undefined, flag: string, fallback: number): number => {
    if (text === undefined) return fallback;
    const value = positiveDuration(text);
    if (value === undefined) throw new Error(`invalid ${flag} "${text}": expected a positive duration such as 30s, 2m or 500ms`);
    return value;
  };
  const requestTimeoutMs = duration(flags.requestTimeout, "--request-timeout", DEFAULT_LIMITS.requestTimeoutMs);
  // Node refuses a headers timeout above the request timeout: the default follows a shorter request timeout.
  const headersTimeoutMs = duration(flags.headersTimeout, "--headers-timeout", Math.min(DEFAULT_LIMITS.headersTimeoutMs, requestTimeoutMs));
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new Error(
      `invalid --headers-timeout "${flags.headersTimeout}": must not exceed the request timeout (${requestTimeoutMs} ms), which covers the headers too`,
    );
  }
  return {
    maxAgentsPerServer: count(flags.maxAgentsPerServer, "--max-agents-per-server", "agents", DEFAULT_LIMITS.maxAgentsPerServer),
    maxMessageBytes: count(flags.maxMessageSize, "--max-message-size", "bytes", DEFAULT_LIMITS.maxMessageBytes),
    requestTimeoutMs,
    headersTimeoutMs,
  };
}

/** --otlp-sample-rate as a number; out of 0..1 it still parses (the tracer uses 1.0 then, as the reference does). */
export function sampleRateFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const rate = Number(text);
  if (text.trim() === "" || !Number.isFinite(rate)) throw new Error(`invalid --otlp-sample-rate "${text}": expected a number from 0 to 1, e.g. 0.25`);
  return rate;
}

export function resolveFlagSettings(flags: ServeFlags, env: Env): FlagSettings {
  const listen = parseListen(flags.listen ?? DEFAULT_LISTEN);
  thresholdFlag(flags);
  sampleRateFlag(flags.otlpSampleRate);
  if (flags.logPayloads !== undefined && !isLogPayloads(flags.logPayloads)) {
    throw new Error(
      `invalid --log-payloads "${flags.logPayloads}": expected redacted (payloads that may carry secret data are logged as their size and sha256) or all`,
    );
  }
  if (flags.guardsMode !== undefined && !isGuardsMode(flags.guardsMode)) {
    throw new Error(`invalid --guards-mode "${flags.guardsMode}": expected strict, filter or propagate`);
  }
  let shutdownTimeoutMs = envShutdownTimeoutMs(env);
  if (flags.shutdownTimeout !== undefined) {
    const parsed = positiveDuration(flags.shutdownTimeout);
    if (parsed === undefined) throw new Error(`invalid --shutdown-timeout "${flags.shutdownTimeout}": expected a positive duration such as 5s, 1m30s or 500ms`);
    shutdownTimeoutMs = parsed;
  }
  const envGuardsMode = env.MCP_GATEWAY_GUARDS_MODE;
  const guardsMode = flags.guardsMode ?? (isGuardsMode(envGuardsMode) ? envGuardsMode : undefined);
  const guardPolicyOverride = resolveGuardPolicyOverride(
    {
      json: flags.guardPolicyJson,
      scopePublic: flags.allowonlyScopePublic,
      scopeOwner: flags.allowonlyScopeOwner,
      scopeRepo: flags.allowonlyScopeRepo,
      minIntegrity: flags.allowonlyMinIntegrity,
    },
    env,
  );
  return {
    configSource: flags.configStdin ? "stdin" : (flags.config ?? ""),
    listenHost: listen.host,
    listenPort: listen.port,
    mode: flags.unified ? "unified" : "routed",
    logDir: flags.logDir ?? (env.MCP_GATEWAY_LOG_DIR || DEFAULT_LOG_DIR),
    // An invalid environment value is ignored, as for the other variables: the default is the safe choice.
    logPayloads: flags.logPayloads ?? (isLogPayloads(env.MCP_GATEWAY_LOG_PAYLOADS) ? env.MCP_GATEWAY_LOG_PAYLOADS : "redacted"),
    verbosity: flags.verbose ?? 0,
    ...(guardsMode ? { guardsMode } : {}),
    sinkServerIds: sinkServerIds(flags.guardsSinkServerIds ?? env.MCP_GATEWAY_GUARDS_SINK_SERVER_IDS),
    ...(guardPolicyOverride ? { guardPolicyOverride } : {}),
    ...(env.MCP_GATEWAY_WASM_GUARDS_DIR !== undefined ? { wasmGuardsDir: env.MCP_GATEWAY_WASM_GUARDS_DIR } : {}),
    urlDomainAudit: flags.urlDomainAudit ?? envBoolean(env.MCP_GATEWAY_URL_DOMAIN_AUDIT) ?? false,
    sessionTimeoutMs: positiveDuration(env.MCP_GATEWAY_SESSION_TIMEOUT) ?? DEFAULT_SESSION_TIMEOUT_MS,
    shutdownTimeoutMs,
    limits: limitFlags(flags),
    ...metricsListen(flags, env),
  };
}

/** --metrics-listen, else FLOWGATE_METRICS_LISTEN: where Prometheus scrapes; none (no metrics) by default. */
function metricsListen(flags: ServeFlags, env: Env): Pick<RuntimeOptions, "metricsListen"> {
  const address = flags.metricsListen ?? (env.FLOWGATE_METRICS_LISTEN || undefined);
  if (address === undefined) return {};
  const flag = flags.metricsListen !== undefined ? "--metrics-listen" : "FLOWGATE_METRICS_LISTEN";
  return { metricsListen: parseListen(address, flag, "127.0.0.1:9464") };
}

/** Where a value overriding the configuration came from, for the warning that says so. */
interface OverrideSource<T> {
  flag: T | undefined;
  flagName: string;
  fromEnv: T | undefined;
  envName: string;
}

/**
 * A flag wins; else an environment value that differs from the built-in default; else the config's.
 * When a flag or variable replaces a value the configuration sets, `warn` says so with both values.
 */
function overridden<T>(source: OverrideSource<T>, builtIn: T, configured: T, configName: string, warn: (text: string) => void): T {
  const winner =
    source.flag !== undefined
      ? { value: source.flag, name: source.flagName }
      : source.fromEnv !== undefined && source.fromEnv !== builtIn
        ? { value: source.fromEnv, name: source.envName }
        : undefined;
  if (winner === undefined) return configured;
  if (configured !== builtIn && winner.value !== configured) {
    warn(`${winner.name} ${JSON.stringify(winner.value)} overrides the configuration's ${configName} ${JSON.stringify(configured)}`);
  }
  return winner.value;
}

/**
 * The OTLP flags and their variables over the configuration's `opentelemetry` (gateway.md §2.2):
 * each applies when passed, or when its variable differs from the default. The endpoint alone
 * turns tracing on; undefined when neither the configuration nor a flag or variable names one.
 */
function otlpOverrides(
  configured: OpenTelemetryConfig | undefined,
  flags: ServeFlags,
  env: Env,
  warn: (text: string) => void,
): OpenTelemetryConfig | undefined {
  const endpoint = overridden(
    { flag: flags.otlpEndpoint, flagName: "--otlp-endpoint", fromEnv: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined, envName: "OTEL_EXPORTER_OTLP_ENDPOINT" },
    "",
    configured?.endpoint ?? "",
    "OpenTelemetry endpoint",
    warn,
  );
  if (endpoint === "") return configured;
  const serviceName = overridden(
    { flag: flags.otlpServiceName, flagName: "--otlp-service-name", fromEnv: env.OTEL_SERVICE_NAME || undefined, envName: "OTEL_SERVICE_NAME" },
    DEFAULT_OTEL_SERVICE_NAME,
    configured?.serviceName ?? DEFAULT_OTEL_SERVICE_NAME,
    "OpenTelemetry service name",
    warn,
  );
  const sampleRate = sampleRateFlag(flags.otlpSampleRate) ?? configured?.sampleRate;
  return { ...configured, endpoint, serviceName, ...(sampleRate !== undefined ? { sampleRate } : {}) };
}

/** Combines the flag settings with a loaded config: the config after overrides, and the runtime options. */
export function applyOverrides(config: GatewayConfig, settings: FlagSettings, flags: ServeFlags, env: Env): { config: GatewayConfig; runtime: RuntimeOptions } {
  const warnings = [...config.warnings];
  const warn = (text: string) => warnings.push(text);
  const threshold = thresholdFlag(flags);
  const gateway = { ...config.gateway };
  gateway.payloadDir = overridden(
    { flag: flags.payloadDir, flagName: "--payload-dir", fromEnv: env.MCP_GATEWAY_PAYLOAD_DIR || undefined, envName: "MCP_GATEWAY_PAYLOAD_DIR" },
    DEFAULT_PAYLOAD_DIR,
    gateway.payloadDir,
    "payload directory",
    warn,
  );
  const prefix = overridden(
    {
      flag: flags.payloadPathPrefix,
      flagName: "--payload-path-prefix",
      fromEnv: env.MCP_GATEWAY_PAYLOAD_PATH_PREFIX,
      envName: "MCP_GATEWAY_PAYLOAD_PATH_PREFIX",
    },
    "",
    gateway.payloadPathPrefix ?? "",
    "payload path prefix",
    warn,
  );
  if (prefix === "") delete gateway.payloadPathPrefix;
  else gateway.payloadPathPrefix = prefix;
  gateway.payloadSizeThreshold = overridden(
    {
      flag: threshold,
      flagName: "--payload-size-threshold",
      fromEnv: positiveInteger(env.MCP_GATEWAY_PAYLOAD_SIZE_THRESHOLD),
      envName: "MCP_GATEWAY_PAYLOAD_SIZE_THRESHOLD",
    },
    DEFAULT_PAYLOAD_SIZE_THRESHOLD,
    gateway.payloadSizeThreshold,
    "payload size threshold",
    warn,
  );
  const opentelemetry = otlpOverrides(gateway.opentelemetry, flags, env, warn);
  if (opentelemetry) gateway.opentelemetry = opentelemetry;
  if (flags.stateUrl !== undefined) {
    if (gateway.state !== undefined && gateway.state.url !== flags.stateUrl) warn("--state-url overrides the configuration's [gateway.state] url");
    gateway.state = { url: flags.stateUrl };
  }
  if (settings.guardsMode !== undefined && config.guardsMode !== undefined && settings.guardsMode !== config.guardsMode) {
    warn(
      `${flags.guardsMode !== undefined ? "--guards-mode" : "MCP_GATEWAY_GUARDS_MODE"} "${settings.guardsMode}" overrides the configuration's guards mode "${config.guardsMode}"`,
    );
  }
  // As in gh-aw-mcpg the configured port only describes the deployment; a port that differs from
  // the one flowgate listens on is most likely a configuration that expects to set it.
  if (gateway.port !== undefined && gateway.port !== settings.listenPort) {
    warn(
      `the configuration's port ${gateway.port} is not where flowgate listens (as in gh-aw-mcpg, it is not used to listen): ` +
        `it listens on ${settings.listenHost}:${settings.listenPort}, ${flags.listen !== undefined ? "from --listen" : `the default; set it with --listen`}`,
    );
  }

  const ids = new Set(config.servers.map((server) => server.id));
  for (const id of settings.sinkServerIds) {
    if (!ids.has(id)) warnings.push(`--guards-sink-server-ids names unknown server ID "${id}" (not a configured server)`);
  }
  return {
    config: { ...config, gateway, sequentialLaunch: flags.sequentialLaunch ?? config.sequentialLaunch, warnings },
    runtime: { ...settings, guardsMode: settings.guardsMode ?? config.guardsMode ?? "strict" },
  };
}
