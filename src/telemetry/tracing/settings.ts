// What the exporter needs, resolved from the configuration's `opentelemetry` section (flags and
// variables already applied over it by the CLI) and the variables only the tracing layer reads:
// OTEL_EXPORTER_OTLP_HEADERS, GH_AW_OTLP_ENDPOINTS and the OTLP certificate (gateway.md §1.4, §8).
import { readFileSync } from "node:fs";
import type { OpenTelemetryConfig } from "../../config/index.ts";
import { DEFAULT_OTEL_SERVICE_NAME } from "../../config/index.ts";
import { errorText, urlWithoutSecrets } from "../../shared/index.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export interface OtlpEndpoint {
  /** The full URL spans are POSTed to, signal path included. */
  url: string;
  headers: Record<string, string>;
}

export interface TracingSettings {
  endpoints: OtlpEndpoint[];
  serviceName: string;
  /** 0..1: the share of traces kept. */
  sampleRate: number;
  /** The configured parent of every trace without an incoming traceparent; the span id is random when only the trace id was given. */
  parent?: { traceId: string; spanId: string };
  /** PEM of the CA the collector's certificate must chain to, instead of the system's (OTEL_EXPORTER_OTLP_CERTIFICATE). */
  ca?: Buffer;
}

export interface ResolvedTracing {
  /** Undefined when no endpoint is configured anywhere. */
  settings: TracingSettings | undefined;
  warnings: string[];
}

const DEFAULT_SIGNAL_PATH = "/v1/traces";
/** More than this many fan-out endpoints is a mistake, not a deployment: each one gets every batch. */
const MAX_ENDPOINTS = 16;

/**
 * `k=v,k2=v2` as OTEL_EXPORTER_OTLP_HEADERS writes headers; `unescape` decodes %XX in values as
 * the OTel specification says (config headers are used verbatim, as the reference does).
 */
function parseHeaderList(text: string, unescape: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of text.split(",")) {
    const equals = entry.indexOf("=");
    if (equals <= 0) continue;
    const key = entry.slice(0, equals).trim();
    const raw = entry.slice(equals + 1).trim();
    if (key === "") continue;
    headers[key] = unescape ? decodeOrKeep(raw) : raw;
  }
  return headers;
}

function decodeOrKeep(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The endpoint with the signal path appended unless its path already ends with it; throws on a URL that is not http(s). */
function signalUrl(endpoint: string, signalPath = DEFAULT_SIGNAL_PATH): string {
  // The endpoint may carry a key in its user info or query: errors show it as the startup line does, or not at all.
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error("an OTLP endpoint is not a URL (not shown: it may hold a key): expected http://host:port or https://host:port");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`OTLP endpoint '${urlWithoutSecrets(url.href)}' uses ${url.protocol.slice(0, -1)}: OTLP/HTTP needs http:// or https://`);
  }
  const path = signalPath.startsWith("/") ? signalPath : `/${signalPath}`;
  if (!url.pathname.endsWith(path)) url.pathname = `${url.pathname.replace(/\/+$/, "")}${path}`;
  return url.toString();
}

interface FanOutEntry {
  url: string;
  headers?: Record<string, string>;
}

/** GH_AW_OTLP_ENDPOINTS: a comma list of URLs, or a JSON array of `{"url": …, "headers": "k=v,…"}`. */
function fanOutEntries(text: string): FanOutEntry[] {
  const trimmed = text.trim();
  if (!trimmed.startsWith("[")) {
    return trimmed
      .split(",")
      .map((url) => url.trim())
      .filter((url) => url !== "")
      .map((url) => ({ url }));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    // Not the parser's message: it quotes the text around the fault, which may be a header's secret.
    const where = /at position \d+/.exec(errorText(error))?.[0];
    throw new Error(
      `GH_AW_OTLP_ENDPOINTS is not valid JSON${where ? ` (${where})` : ""}: expected a comma list of URLs or [{"url": "...", "headers": "k=v"}]`,
      { cause: error },
    );
  }
  if (!Array.isArray(parsed)) throw new Error('GH_AW_OTLP_ENDPOINTS must be a JSON array of {"url": "...", "headers": "k=v"} objects');
  return parsed.map((item: unknown, index) => {
    const entry = item as { url?: unknown; headers?: unknown } | null;
    if (typeof entry?.url !== "string" || entry.url.trim() === "") throw new Error(`GH_AW_OTLP_ENDPOINTS[${index}] has no "url" string`);
    if (entry.headers !== undefined && typeof entry.headers !== "string")
      throw new Error(`GH_AW_OTLP_ENDPOINTS[${index}].headers must be a "k=v,k2=v2" string`);
    return { url: entry.url.trim(), ...(entry.headers !== undefined ? { headers: parseHeaderList(entry.headers, true) } : {}) };
  });
}

/** Out of 0..1 (or not a number) means everything, as the reference does. */
export function effectiveSampleRate(rate: number | undefined): number {
  return rate === undefined || !Number.isFinite(rate) || rate < 0 || rate > 1 ? 1 : rate;
}

function randomSpanId(): string {
  // Never all zeros: an all-zero span id is invalid in W3C trace context.
  for (;;) {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString("hex");
    if (id !== "0000000000000000") return id;
  }
}

function collectorCa(env: Env, warnings: string[]): Buffer | undefined {
  const path = env["OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE"] || env["OTEL_EXPORTER_OTLP_CERTIFICATE"];
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    warnings.push(`cannot read the OTLP collector's CA certificate ${path} (${errorText(error)}): the system's CAs are used`);
    return undefined;
  }
}

/** Resolves the exporter's settings (undefined: no endpoint anywhere); throws on an endpoint or GH_AW_OTLP_ENDPOINTS that cannot be used. */
export function resolveTracing(config: OpenTelemetryConfig | undefined, env: Env): ResolvedTracing {
  const warnings: string[] = [];
  const fanOut = env["GH_AW_OTLP_ENDPOINTS"]?.trim() ? fanOutEntries(env["GH_AW_OTLP_ENDPOINTS"]) : undefined;
  const entries: FanOutEntry[] = fanOut && fanOut.length > 0 ? fanOut : config?.endpoint ? [{ url: config.endpoint }] : [];
  if (entries.length === 0) return { settings: undefined, warnings };
  if (entries.length > MAX_ENDPOINTS) throw new Error(`GH_AW_OTLP_ENDPOINTS names ${entries.length} endpoints; at most ${MAX_ENDPOINTS} are allowed`);
  const envHeaders = env["OTEL_EXPORTER_OTLP_HEADERS"];
  const shared = config?.headers !== undefined ? parseHeaderList(config.headers, false) : envHeaders ? parseHeaderList(envHeaders, true) : {};
  const endpoints = entries.map((entry) => ({ url: signalUrl(entry.url, config?.signalPath), headers: { ...shared, ...entry.headers } }));
  if (config?.spanId !== undefined && config.traceId === undefined) warnings.push("opentelemetry spanId is set without traceId: it is ignored");
  if (config?.sampleRate !== undefined && effectiveSampleRate(config.sampleRate) !== config.sampleRate) {
    warnings.push(`OTLP sample rate ${config.sampleRate} is not between 0 and 1: using 1.0`);
  }
  const ca = collectorCa(env, warnings);
  return {
    settings: {
      endpoints,
      serviceName: config?.serviceName ?? DEFAULT_OTEL_SERVICE_NAME,
      sampleRate: effectiveSampleRate(config?.sampleRate),
      ...(config?.traceId !== undefined ? { parent: { traceId: config.traceId, spanId: config.spanId ?? randomSpanId() } } : {}),
      ...(ca ? { ca } : {}),
    },
    warnings,
  };
}
