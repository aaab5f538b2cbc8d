// TOML configuration files (snake_case keys), the reference's `--config` format
// (gateway.md §2.1): parse, validate against the schema (unknown keys are errors), expand
// `${VAR}` only in the tracing fields, then build. Servers are `command` + `args`; with
// `command = "docker"` they run in a container, with anything else as a local process.

import { parse, TomlError } from "smol-toml";
import type { GatewayConfig, GatewaySettings, GuardsMode, OpenTelemetryConfig } from "./types.ts";
import { expandValue, type Environment } from "./expand.ts";
import { ConfigError, type ConfigIssue } from "./issues.ts";
import { validateAgainstSchema } from "./schema-validate.ts";
import { assembleConfig } from "./assemble.ts";
import type { ServerEntry } from "./build-server.ts";
import { urlWithoutSecrets } from "../shared/index.ts";
import type { GuardEntry } from "./guards.ts";
import {
  DEFAULT_KEEPALIVE_INTERVAL_S,
  DEFAULT_OTEL_SERVICE_NAME,
  DEFAULT_PAYLOAD_DIR,
  DEFAULT_PAYLOAD_SIZE_THRESHOLD,
  DEFAULT_STARTUP_TIMEOUT_S,
  DEFAULT_TOOL_TIMEOUT_S,
} from "./defaults.ts";

interface TomlServer {
  type?: string;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  working_directory?: string;
  url?: string;
  headers?: Record<string, string>;
  auth?: { type: "github-oidc"; audience?: string };
  tools?: string[];
  registry?: string;
  guard_policies?: unknown;
  guard?: string;
  tool_response_filters?: Record<string, string>;
  connect_timeout?: number;
  tool_timeout?: number;
  rate_limit_threshold?: number;
  rate_limit_cooldown?: number;
}

interface TomlTracing {
  endpoint?: string;
  trace_id?: string;
  span_id?: string;
  service_name?: string;
  headers?: string;
  sample_rate?: number;
  signal_path?: string;
}

interface TomlDocument {
  servers: Record<string, TomlServer>;
  gateway?: {
    port?: number;
    domain?: string;
    agent_id?: string;
    api_key?: string;
    startup_timeout?: number;
    tool_timeout?: number;
    keepalive_interval?: number;
    payload_dir?: string;
    payload_path_prefix?: string;
    payload_size_threshold?: number;
    trusted_bots?: string[];
    force_public_repos?: boolean;
    sink_visibility_exempt_servers?: string[];
    state?: { url: string };
    opentelemetry?: TomlTracing;
    tracing?: TomlTracing;
  };
  guards?: Record<string, GuardEntry>;
  guards_mode?: GuardsMode;
  sequential_launch?: boolean;
}

function parseToml(text: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    throw new ConfigError([
      {
        path: "configuration",
        problem: `failed to parse TOML at line ${error.line}, column ${error.column}: ${error.message}`,
        expected: "a valid TOML document (https://toml.io)",
      },
    ]);
  }
}

const HEX32 = /^(?!0{32}$)[0-9a-f]{32}$/;
const HEX16 = /^(?!0{16}$)[0-9a-f]{16}$/;

/**
 * `[gateway.opentelemetry]` wins over the legacy `[gateway.tracing]`. Only these fields are
 * expanded in TOML. The current section needs an http(s) endpoint; the legacy one takes any
 * endpoint, and an empty one turns tracing off.
 */
function tracing(gateway: NonNullable<TomlDocument["gateway"]>, env: Environment, issues: ConfigIssue[], warnings: string[]): OpenTelemetryConfig | undefined {
  const key = gateway.opentelemetry ? "opentelemetry" : "tracing";
  const section = gateway.opentelemetry ?? gateway.tracing;
  if (!section) return undefined;
  if (gateway.opentelemetry && gateway.tracing) warnings.push("both [gateway.opentelemetry] and [gateway.tracing] are set; using [gateway.opentelemetry]");
  const path = `gateway.${key}`;
  const expand = (field: "endpoint" | "trace_id" | "span_id" | "headers"): string | undefined => {
    const value = section[field];
    return value === undefined ? undefined : expandValue(value, env, `${path}.${field}`, issues);
  };
  const endpoint = expand("endpoint") ?? "";
  const traceId = expand("trace_id");
  const spanId = expand("span_id");
  const headers = expand("headers");
  if (key === "opentelemetry" && !/^https?:\/\/.+/.test(endpoint)) {
    issues.push({
      path: `${path}.endpoint`,
      problem: `opentelemetry endpoint must be an http:// or https:// URL, got ${endpoint === "" ? "an empty value" : `'${urlWithoutSecrets(endpoint)}'`}`,
      expected: "an http:// or https:// OTLP endpoint URL",
    });
  }
  if (traceId !== undefined && !HEX32.test(traceId))
    issues.push({ path: `${path}.trace_id`, problem: `invalid trace id '${traceId}'`, expected: "32 lowercase hex digits, not all zero" });
  if (spanId !== undefined && !HEX16.test(spanId))
    issues.push({ path: `${path}.span_id`, problem: `invalid span id '${spanId}'`, expected: "16 lowercase hex digits, not all zero" });
  if (endpoint === "") return undefined;
  return {
    endpoint,
    serviceName: section.service_name ?? DEFAULT_OTEL_SERVICE_NAME,
    ...(traceId !== undefined ? { traceId } : {}),
    ...(spanId !== undefined ? { spanId } : {}),
    ...(headers !== undefined ? { headers } : {}),
    ...(section.sample_rate !== undefined ? { sampleRate: section.sample_rate } : {}),
    ...(section.signal_path !== undefined ? { signalPath: section.signal_path } : {}),
  };
}

function gatewaySettings(document: TomlDocument, env: Environment, issues: ConfigIssue[], warnings: string[]): GatewaySettings {
  const gateway = document.gateway ?? {};
  // An empty agent_id means "none": the gateway then generates one at startup.
  if (!gateway.agent_id && gateway.api_key) warnings.push("gateway.api_key is deprecated; use gateway.agent_id");
  const agentId = gateway.agent_id || gateway.api_key || undefined;
  const opentelemetry = tracing(gateway, env, issues, warnings);
  return {
    ...(gateway.port !== undefined ? { port: gateway.port } : {}),
    ...(gateway.domain ? { domain: gateway.domain } : {}),
    ...(agentId !== undefined ? { agentId } : {}),
    startupTimeout: gateway.startup_timeout || DEFAULT_STARTUP_TIMEOUT_S,
    toolTimeout: gateway.tool_timeout || DEFAULT_TOOL_TIMEOUT_S,
    keepaliveInterval: gateway.keepalive_interval || DEFAULT_KEEPALIVE_INTERVAL_S,
    payloadDir: gateway.payload_dir ?? DEFAULT_PAYLOAD_DIR,
    ...(gateway.payload_path_prefix ? { payloadPathPrefix: gateway.payload_path_prefix } : {}),
    payloadSizeThreshold: gateway.payload_size_threshold ?? DEFAULT_PAYLOAD_SIZE_THRESHOLD,
    ...(gateway.trusted_bots ? { trustedBots: [...gateway.trusted_bots] } : {}),
    forcePublicRepos: gateway.force_public_repos ?? true,
    ...(gateway.sink_visibility_exempt_servers ? { sinkVisibilityExemptServers: [...gateway.sink_visibility_exempt_servers] } : {}),
    ...(gateway.state ? { state: { url: gateway.state.url } } : {}),
    ...(opentelemetry ? { opentelemetry } : {}),
  };
}

function serverEntry(id: string, server: TomlServer): ServerEntry {
  const { type, working_directory, guard_policies, tool_response_filters, connect_timeout, tool_timeout, rate_limit_threshold, rate_limit_cooldown, ...rest } =
    server;
  return {
    ...rest,
    id,
    path: `servers.${id}`,
    type: type === "http" ? "http" : "stdio",
    keys: {
      workingDirectory: "working_directory",
      guardPolicies: "guard_policies",
      toolResponseFilters: "tool_response_filters",
      connectTimeout: "connect_timeout",
      toolTimeout: "tool_timeout",
    },
    ...(working_directory !== undefined ? { workingDirectory: working_directory } : {}),
    ...(guard_policies !== undefined ? { guardPolicies: guard_policies } : {}),
    ...(tool_response_filters ? { toolResponseFilters: tool_response_filters } : {}),
    ...(connect_timeout !== undefined ? { connectTimeout: connect_timeout } : {}),
    ...(tool_timeout !== undefined ? { toolTimeout: tool_timeout } : {}),
    ...(rate_limit_threshold !== undefined ? { rateLimitThreshold: rate_limit_threshold } : {}),
    ...(rate_limit_cooldown !== undefined ? { rateLimitCooldown: rate_limit_cooldown } : {}),
  };
}

/** Loads a TOML configuration; throws a ConfigError that lists every problem of the first failing stage. */
export function loadTomlConfig(text: string, env: Environment): GatewayConfig {
  const document = parseToml(text);
  validateAgainstSchema(document, "toml");
  const valid = document as TomlDocument;
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const gateway = gatewaySettings(valid, env, issues, warnings);
  return assembleConfig({
    gateway,
    servers: Object.entries(valid.servers).map(([id, server]) => serverEntry(id, server)),
    ...(valid.guards ? { guards: valid.guards } : {}),
    guardsPath: "guards",
    exemptServersPath: "gateway.sink_visibility_exempt_servers",
    ...(valid.guards_mode ? { guardsMode: valid.guards_mode } : {}),
    sequentialLaunch: valid.sequential_launch ?? false,
    env,
    build: { enforceToolTimeoutMinimum: false, stdioField: "command" },
    issues,
    warnings,
  });
}
