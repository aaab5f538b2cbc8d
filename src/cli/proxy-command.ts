import { join } from "node:path";
import type { Command } from "commander";
import { DEFAULT_OTEL_SERVICE_NAME, type OpenTelemetryConfig } from "../config/index.ts";
import { parseEnforcementMode, parseTrustedBotsFlag, type EnforcementMode } from "../difc/index.ts";
import { githubApiUrl, githubToken } from "../enforce/index.ts";
import { discoverGuardFile } from "../guard/index.ts";
import { urlWithoutSecrets } from "../shared/index.ts";
import { collectHeapWhenIdle } from "./idle-heap-collection.ts";
import { envBoolean } from "./env-values.ts";
import { CliExit, type CliIO } from "./io.ts";
import { DEFAULT_LOG_DIR, envShutdownTimeoutMs, sampleRateFlag } from "./serve-options.ts";
import { VERSION } from "./version.ts";

const DEFAULT_PROXY_LISTEN = "127.0.0.1:8080";

interface ProxyFlags {
  guardWasm?: string;
  policy?: string;
  githubToken?: string;
  listen?: string;
  logDir?: string;
  wasmCacheDir?: string;
  guardsMode?: string;
  githubApiUrl?: string;
  forcePublicRepos?: string | boolean;
  tls?: boolean;
  tlsDir?: string;
  trustedBots?: string;
  trustedUsers?: string;
  otlpEndpoint?: string;
  otlpServiceName?: string;
  otlpSampleRate?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The settings the flags and the environment resolve to (gateway.md §1.3); throws on a bad value. */
export interface ProxySettings {
  guardPath: string;
  policyJson: string | undefined;
  githubToken: string | undefined;
  listen: string;
  logDir: string;
  guardsMode: EnforcementMode;
  apiUrl: string;
  forcePublicRepos: boolean;
  tlsDir: string | undefined;
  trustedBots: string[];
  trustedUsers: string[];
  /** How long requests in flight may run on after SIGINT/SIGTERM before they are cut. */
  shutdownTimeoutMs: number;
  /** Tracing's settings from the --otlp-* flags and their variables; undefined without an endpoint. */
  opentelemetry: OpenTelemetryConfig | undefined;
}

export function resolveProxySettings(flags: ProxyFlags, env: Env): ProxySettings {
  const guardsModeText = flags.guardsMode ?? env["MCP_GATEWAY_GUARDS_MODE"] ?? "strict";
  let guardsMode: EnforcementMode;
  try {
    guardsMode = parseEnforcementMode(guardsModeText);
  } catch (error) {
    throw new Error(`invalid --guards-mode flag: ${(error as Error).message}`, { cause: error });
  }
  const guardPath = flags.guardWasm?.trim() || discoverGuardFile("github", { env });
  if (guardPath === undefined) {
    throw new Error(
      "no guard: pass --guard-wasm <file.wasm>, or put one in $MCP_GATEWAY_WASM_GUARDS_DIR/github/ (the image's /guards/github/00-github-guard.wasm is used when present)",
    );
  }
  const listen = flags.listen ?? DEFAULT_PROXY_LISTEN;
  const port = Number(listen.slice(listen.lastIndexOf(":") + 1));
  if (!listen.includes(":") || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid --listen "${listen}": expected host:port, e.g. 127.0.0.1:8080`);
  }
  const logDir = flags.logDir ?? env["MCP_GATEWAY_LOG_DIR"] ?? DEFAULT_LOG_DIR;
  const forcePublicRepos = booleanSetting("--force-public-repos", flags.forcePublicRepos, env["MCP_GATEWAY_FORCE_PUBLIC_REPOS"], true);
  const apiUrl = flags.githubApiUrl?.trim() ? flags.githubApiUrl.trim().replace(/\/+$/, "") : githubApiUrl(env);
  if (!URL.canParse(apiUrl) || !["http:", "https:"].includes(new URL(apiUrl).protocol)) {
    throw new Error(
      `invalid GitHub API URL ${urlWithoutSecrets(apiUrl)}: expected an http:// or https:// URL such as https://api.github.com (from --github-api-url, else GITHUB_API_URL or GITHUB_SERVER_URL)`,
    );
  }
  return {
    guardPath,
    policyJson: flags.policy ?? env["MCP_GATEWAY_GUARD_POLICY_JSON"],
    githubToken: flags.githubToken?.trim() || githubToken(env),
    listen,
    logDir,
    guardsMode,
    apiUrl,
    forcePublicRepos,
    tlsDir: flags.tls ? (flags.tlsDir ?? join(logDir, "proxy-tls")) : undefined,
    trustedBots: parseTrustedBotsFlag(flags.trustedBots ?? ""),
    trustedUsers: parseTrustedBotsFlag(flags.trustedUsers ?? ""),
    shutdownTimeoutMs: envShutdownTimeoutMs(env),
    opentelemetry: otlpSettings(flags, env),
  };
}

/** As the serve command's flags, without a configuration under them: the endpoint alone turns tracing on. */
function otlpSettings(flags: ProxyFlags, env: Env): OpenTelemetryConfig | undefined {
  const sampleRate = sampleRateFlag(flags.otlpSampleRate);
  const endpoint = flags.otlpEndpoint || env["OTEL_EXPORTER_OTLP_ENDPOINT"];
  if (!endpoint) return undefined;
  return {
    endpoint,
    serviceName: flags.otlpServiceName || env["OTEL_SERVICE_NAME"] || DEFAULT_OTEL_SERVICE_NAME,
    ...(sampleRate !== undefined ? { sampleRate } : {}),
  };
}

/** A boolean flag that may be given bare (`--tls`) or with a value (`--force-public-repos=false`), else the environment. */
function booleanSetting(name: string, flag: string | boolean | undefined, envValue: string | undefined, fallback: boolean): boolean {
  if (typeof flag === "boolean") return flag;
  if (flag !== undefined) {
    const value = envBoolean(flag);
    if (value === undefined) throw new Error(`invalid ${name} value "${flag}": expected true or false`);
    return value;
  }
  return envBoolean(envValue) ?? fallback;
}

/** What the reference prints on stderr once the proxy listens: where it is and how to point clients at it. */
export function proxyBanner(settings: ProxySettings, url: string, mode: EnforcementMode, caCertPath: string | undefined): string {
  const hostPort = url.replace(/^https?:\/\//, "").replace(/^0\.0\.0\.0:|^\[::\]:/, "localhost:");
  const lines = [
    "MCPG GitHub API Proxy",
    `  Listening: ${url}`,
    `  Upstream:  ${urlWithoutSecrets(settings.apiUrl)}`,
    `  Mode:      ${mode}`,
    `  Guard:     ${settings.guardPath}`,
  ];
  if (caCertPath !== undefined) {
    lines.push(
      `  CA cert:   ${caCertPath}`,
      "",
      "Connect with:",
      `  export GH_HOST=${hostPort}`,
      `  export NODE_EXTRA_CA_CERTS=${caCertPath}`,
      `  export SSL_CERT_FILE=${caCertPath}`,
      `  export GIT_SSL_CAINFO=${caCertPath}`,
      "  gh issue list -R org/repo",
    );
  } else {
    lines.push("", "Connect with:", `  curl ${url}/repos/org/repo/issues`);
  }
  return `${lines.join("\n")}\n`;
}

/** `flowgate proxy` (and `awmg proxy`): the GitHub API filtering proxy of gateway.md §7. */
export function registerProxyCommand(program: Command, io: CliIO): void {
  program
    .command("proxy")
    .description(
      "GitHub API proxy that runs the guard and DIFC pipeline on REST and GraphQL reads; on SIGINT or SIGTERM, requests in flight get MCP_GATEWAY_SHUTDOWN_TIMEOUT (default 5s) to finish",
    )
    .helpOption("-h, --help", "show this help")
    .option("--guard-wasm <file>", "the guard (default /guards/github/00-github-guard.wasm, else the first *.wasm in $MCP_GATEWAY_WASM_GUARDS_DIR/github/)")
    .option("--policy <json>", "guard policy JSON (env MCP_GATEWAY_GUARD_POLICY_JSON); without one every filtered read is refused with 503")
    .option(
      "--github-token <token>",
      "token for clients that send no Authorization, and for the guard's lookups (default GITHUB_MCP_SERVER_TOKEN, GITHUB_TOKEN, GITHUB_PERSONAL_ACCESS_TOKEN, GH_TOKEN)",
    )
    .option("-l, --listen <host:port>", `address to listen on (default ${DEFAULT_PROXY_LISTEN})`)
    .option("--log-dir <dir>", `log directory (env MCP_GATEWAY_LOG_DIR, default ${DEFAULT_LOG_DIR})`)
    .option("--wasm-cache-dir <dir>", "accepted for compatibility; compiled guards are cached in memory (env MCP_GATEWAY_WASM_CACHE_DIR)")
    .option("--guards-mode <mode>", "strict, filter or propagate (env MCP_GATEWAY_GUARDS_MODE, default strict)")
    .option("--github-api-url <url>", "upstream API (default GITHUB_API_URL, else derived from GITHUB_SERVER_URL, else https://api.github.com)")
    .option(
      "--force-public-repos [bool]",
      "narrow the policy to public repositories when the workflow's repository is public (env MCP_GATEWAY_FORCE_PUBLIC_REPOS, default true)",
    )
    .option("--tls", "serve HTTPS with a generated CA and server certificate")
    .option("--tls-dir <dir>", "where --tls writes ca.crt, server.crt and server.key (default <log-dir>/proxy-tls)")
    .option("--trusted-bots <names>", "comma-separated bot accounts the guard trusts")
    .option("--trusted-users <names>", "comma-separated users the guard trusts")
    .option("--otlp-endpoint <url>", "OTLP/HTTP collector endpoint to export traces to; none: tracing is off (env OTEL_EXPORTER_OTLP_ENDPOINT)")
    .option("--otlp-service-name <name>", "service.name of the exported traces (env OTEL_SERVICE_NAME, default mcp-gateway)")
    .option("--otlp-sample-rate <rate>", "share of traces exported, 0 to 1 (default 1.0)")
    .action(async (flags: ProxyFlags) => {
      let settings: ProxySettings;
      try {
        settings = resolveProxySettings(flags, process.env);
      } catch (error) {
        io.err(`flowgate proxy: ${(error as Error).message}\n`);
        throw new CliExit(1);
      }
      await runProxy(settings, io);
    });
}

async function runProxy(settings: ProxySettings, io: CliIO): Promise<void> {
  const [{ openFileLogger }, { startProxy }, { startTracing }] = await Promise.all([
    import("../log/index.ts"),
    import("../proxy/index.ts"),
    import("../telemetry/tracing/index.ts"),
  ]);
  const logger = openFileLogger({ dir: settings.logDir, stderr: io.err, proxy: true, ...(settings.githubToken ? { secrets: [settings.githubToken] } : {}) });
  const warn = (message: string) => {
    io.err(`Warning: ${message}\n`);
    logger.log("warn", "startup", message);
  };
  const traced = await startTracing(settings.opentelemetry, process.env, {
    version: VERSION,
    rootSpanName: "proxy.lifetime",
    report: (level, message) => (level === "warn" ? warn(message) : logger.log("info", "tracing", message)),
  });
  for (const line of traced.lines) {
    if (line.level === "warn") warn(line.text);
    else logger.log("info", "startup", line.text);
  }
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  let proxy;
  try {
    proxy = await startProxy({ ...settings, logger, env: process.env, ...(traced.tracing ? { tracing: traced.tracing } : {}) });
  } catch (error) {
    io.err(`flowgate proxy: ${(error as Error).message}\n`);
    await traced.tracing?.shutdown();
    await logger.close();
    throw new CliExit(1);
  }
  if (proxy.tls) {
    // As the reference does, so that tools started from this process trust the proxy.
    for (const name of ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "GIT_SSL_CAINFO", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE"])
      process.env[name] = proxy.tls.caCertPath;
  }
  io.err(proxyBanner(settings, proxy.url, proxy.mode, proxy.tls?.caCertPath));
  const stopCollecting = collectHeapWhenIdle();
  await stopped;
  stopCollecting();
  logger.log("info", "shutdown", "proxy shutting down");
  io.err(`Shutting down proxy: requests in flight have up to ${settings.shutdownTimeoutMs} ms to finish\n`);
  const drained = await proxy.close(settings.shutdownTimeoutMs);
  if (!drained) {
    const message = `requests still in flight after the ${settings.shutdownTimeoutMs} ms shutdown timeout were cut (MCP_GATEWAY_SHUTDOWN_TIMEOUT sets it)`;
    logger.log("warn", "shutdown", message);
    io.err(`flowgate proxy: ${message}\n`);
  }
  await traced.tracing?.shutdown();
  await logger.close();
  // As the reference's proxy does when its HTTP shutdown times out.
  if (!drained) throw new CliExit(1);
}
