// JSON configuration on stdin (camelCase keys), the format gh-aw's compiler writes
// (gateway.md §2.1): expand `${VAR}` over the text, parse, check server types, validate against
// the schema, then build. flowgate also accepts `command` + `args` for a local process.

import type { GatewayConfig, GatewaySettings, OpenTelemetryConfig } from "./types.ts";
import { expandJsonText, type Environment } from "./expand.ts";
import { ConfigError, throwIfAny, type ConfigIssue } from "./issues.ts";
import { validateAgainstSchema } from "./schema-validate.ts";
import { assembleConfig } from "./assemble.ts";
import type { ServerEntry } from "./build-server.ts";
import type { GuardEntry } from "./guards.ts";
import {
  DEFAULT_KEEPALIVE_INTERVAL_S,
  DEFAULT_OTEL_SERVICE_NAME,
  DEFAULT_PAYLOAD_DIR,
  DEFAULT_PAYLOAD_SIZE_THRESHOLD,
  DEFAULT_STARTUP_TIMEOUT_S,
  DEFAULT_TOOL_TIMEOUT_S,
  MIN_TOOL_TIMEOUT_S,
} from "./defaults.ts";
import { isObject } from "../shared/index.ts";

/** The document's shape once the schema has accepted it. */
interface JsonServer {
  type?: string;
  container?: string;
  command?: string;
  entrypoint?: string;
  entrypointArgs?: string[];
  args?: string[];
  mounts?: string[];
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
  auth?: { type: "github-oidc"; audience?: string };
  connectTimeout?: number;
  connect_timeout?: number;
  toolTimeout?: number;
  tool_timeout?: number;
  tools?: string[];
  registry?: string;
  "guard-policies"?: unknown;
  guard?: string;
  tool_response_filters?: Record<string, string>;
}

interface JsonDocument {
  mcpServers: Record<string, JsonServer>;
  gateway: {
    port: number;
    domain: string;
    agentId?: string;
    apiKey?: string;
    startupTimeout?: number;
    toolTimeout?: number;
    keepaliveInterval?: number;
    payloadDir?: string;
    payloadPathPrefix?: string;
    payloadSizeThreshold?: number;
    trustedBots?: string[];
    forcePublicRepos?: boolean;
    sinkVisibilityExemptServers?: string[];
    state?: { url: string };
    opentelemetry?: { endpoint: string; traceId?: string; spanId?: string; serviceName?: string };
  };
  customSchemas?: Record<string, string>;
  guards?: Record<string, GuardEntry>;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError([
      { path: "configuration", problem: `invalid JSON: ${(error as Error).message}`, expected: "one JSON object with mcpServers and gateway" },
    ]);
  }
}

/** Rewrites `type: "local"` to stdio and rejects types other than stdio and http before the schema sees them. */
function normaliseServerTypes(document: unknown): void {
  if (!isObject(document) || !isObject(document.mcpServers)) return;
  const registered = isObject(document.customSchemas) ? document.customSchemas : {};
  const issues: ConfigIssue[] = [];
  for (const [id, server] of Object.entries(document.mcpServers)) {
    if (!isObject(server) || typeof server.type !== "string") continue;
    const type = server.type;
    if (type === "local") server.type = "stdio";
    if (type === "local" || type === "stdio" || type === "http") continue;
    const path = `mcpServers.${id}.type`;
    issues.push(
      type in registered
        ? {
            path,
            problem: `custom server type '${type}' is registered in customSchemas, but flowgate cannot launch custom server types`,
            expected: '"stdio" or "http"',
          }
        : { path, problem: `unsupported server type '${type}' (not registered in customSchemas)`, expected: '"stdio" (the default), "local" or "http"' },
    );
  }
  throwIfAny(issues);
}

function toolTimeoutFromEnv(env: Environment, warnings: string[]): number {
  const raw = env.MCP_GATEWAY_TOOL_TIMEOUT;
  if (raw === undefined || raw === "") return DEFAULT_TOOL_TIMEOUT_S;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= MIN_TOOL_TIMEOUT_S) return value;
  warnings.push(`MCP_GATEWAY_TOOL_TIMEOUT=${raw} is not a whole number of seconds of at least ${MIN_TOOL_TIMEOUT_S}; using ${DEFAULT_TOOL_TIMEOUT_S}`);
  return DEFAULT_TOOL_TIMEOUT_S;
}

function gatewaySettings(gateway: JsonDocument["gateway"], env: Environment, issues: ConfigIssue[], warnings: string[]): GatewaySettings {
  if (gateway.agentId === undefined && gateway.apiKey === undefined) {
    issues.push({
      path: "gateway.agentId",
      problem: "required field is missing",
      expected: "a non-empty string that clients send as their Authorization header",
    });
  }
  if (gateway.agentId === undefined && gateway.apiKey !== undefined) warnings.push("gateway.apiKey is deprecated; use gateway.agentId");
  const agentId = gateway.agentId ?? gateway.apiKey;
  const otel = gateway.opentelemetry;
  const opentelemetry: OpenTelemetryConfig | undefined = otel && {
    endpoint: otel.endpoint,
    serviceName: otel.serviceName ?? DEFAULT_OTEL_SERVICE_NAME,
    ...(otel.traceId !== undefined ? { traceId: otel.traceId } : {}),
    ...(otel.spanId !== undefined ? { spanId: otel.spanId } : {}),
  };
  return {
    port: gateway.port,
    domain: gateway.domain,
    ...(agentId !== undefined ? { agentId } : {}),
    startupTimeout: gateway.startupTimeout ?? DEFAULT_STARTUP_TIMEOUT_S,
    toolTimeout: gateway.toolTimeout ?? toolTimeoutFromEnv(env, warnings),
    keepaliveInterval: gateway.keepaliveInterval || DEFAULT_KEEPALIVE_INTERVAL_S,
    payloadDir: gateway.payloadDir ?? DEFAULT_PAYLOAD_DIR,
    ...(gateway.payloadPathPrefix !== undefined ? { payloadPathPrefix: gateway.payloadPathPrefix } : {}),
    payloadSizeThreshold: gateway.payloadSizeThreshold ?? DEFAULT_PAYLOAD_SIZE_THRESHOLD,
    ...(gateway.trustedBots ? { trustedBots: [...gateway.trustedBots] } : {}),
    forcePublicRepos: gateway.forcePublicRepos ?? true,
    ...(gateway.sinkVisibilityExemptServers ? { sinkVisibilityExemptServers: [...gateway.sinkVisibilityExemptServers] } : {}),
    ...(gateway.state ? { state: { url: gateway.state.url } } : {}),
    ...(opentelemetry ? { opentelemetry } : {}),
  };
}

function serverEntry(id: string, server: JsonServer): ServerEntry {
  const {
    "guard-policies": guardPolicies,
    tool_response_filters: toolResponseFilters,
    toolTimeout,
    tool_timeout,
    connectTimeout,
    connect_timeout,
    type,
    ...rest
  } = server;
  return {
    ...rest,
    id,
    path: `mcpServers.${id}`,
    type: type === "http" ? "http" : "stdio",
    keys: {
      guardPolicies: "guard-policies",
      toolResponseFilters: "tool_response_filters",
      toolTimeout: toolTimeout === undefined && tool_timeout !== undefined ? "tool_timeout" : "toolTimeout",
      connectTimeout: connectTimeout === undefined && connect_timeout !== undefined ? "connect_timeout" : "connectTimeout",
    },
    ...(guardPolicies !== undefined ? { guardPolicies } : {}),
    ...(toolResponseFilters ? { toolResponseFilters } : {}),
    ...((toolTimeout ?? tool_timeout) !== undefined ? { toolTimeout: toolTimeout ?? tool_timeout } : {}),
    ...((connectTimeout ?? connect_timeout) !== undefined ? { connectTimeout: connectTimeout ?? connect_timeout } : {}),
  };
}

/** Loads a JSON configuration; throws a ConfigError that lists every problem of the first failing stage. */
export function loadJsonConfig(text: string, env: Environment): GatewayConfig {
  const document = parse(expandJsonText(text, env));
  normaliseServerTypes(document);
  validateAgainstSchema(document, "json");
  const valid = document as JsonDocument;
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const gateway = gatewaySettings(valid.gateway, env, issues, warnings);
  return assembleConfig({
    gateway,
    servers: Object.entries(valid.mcpServers).map(([id, server]) => serverEntry(id, server)),
    ...(valid.guards ? { guards: valid.guards } : {}),
    guardsPath: "guards",
    exemptServersPath: "gateway.sinkVisibilityExemptServers",
    sequentialLaunch: false,
    env,
    build: { enforceToolTimeoutMinimum: true, stdioField: "container" },
    issues,
    warnings,
  });
}
