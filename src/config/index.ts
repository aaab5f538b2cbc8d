// The config layer's face: the loaders, the typed configuration they produce, and its defaults.
export { DEFAULT_LIMITS, DEFAULT_OTEL_SERVICE_NAME, DEFAULT_PAYLOAD_DIR, DEFAULT_PAYLOAD_SIZE_THRESHOLD } from "./defaults.ts";
export { loadEnvFile } from "./env-file.ts";
export { normaliseGuardPolicy } from "./guard-policy.ts";
export type { ConfigIssue } from "./issues.ts";
export { describeRunError, runtimeProgram } from "./jq/index.ts";
export { loadJsonConfig } from "./json-loader.ts";
export { loadTomlConfig } from "./toml-loader.ts";
export type {
  GatewayConfig,
  GatewayLimits,
  GatewaySettings,
  GuardPolicyConfig,
  GuardsMode,
  HttpServerConfig,
  OpenTelemetryConfig,
  RuntimeOptions,
  ServerConfig,
  StdioServerConfig,
} from "./types.ts";
