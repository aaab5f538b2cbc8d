// Tracing's face: OpenTelemetry spans of the gateway's (or the proxy's) work, exported over
// OTLP/HTTP as the reference does (gateway.md §8). startTracing resolves the settings, says on
// startup whether tracing is on, and hands back the tracer and the gateway's Observer over it.
import type { OpenTelemetryConfig } from "../../config/index.ts";
import { errorText, urlWithoutSecrets, type Observer } from "../../shared/index.ts";
import { resolveTracing, type Env } from "./settings.ts";
import type { ListedTools } from "./span-observer.ts";
import type { Tracing } from "./tracing.ts";

export { untraced } from "./untraced.ts";
export type { ListedTools } from "./span-observer.ts";
export type { SpanHandle, Tracing } from "./tracing.ts";

export interface StartupLine {
  level: "info" | "warn";
  text: string;
}

export interface StartedTracing {
  /** Undefined when tracing is off. */
  tracing: Tracing | undefined;
  /** The gateway's steps and events as spans of `tracing`; undefined when tracing is off. */
  observer: Observer | undefined;
  /** What to say at startup, in order: warnings, then whether tracing is on (the reference's lines). */
  lines: StartupLine[];
}

export interface StartTracingOptions {
  version: string;
  rootSpanName: string;
  /** Where export failures and recoveries are reported while running. */
  report: (level: "warn" | "info", message: string) => void;
  /** The tools each server's backend listed: only those are named in spans (none until it answers). */
  listedTools?: ListedTools;
}

/**
 * The tracer for `config` (flags already applied over it) and `env`. Never throws: a setting that
 * cannot be used turns tracing off with a warning. The OpenTelemetry SDK and exporter (about half
 * a second of imports) load only when tracing is on.
 */
export async function startTracing(config: OpenTelemetryConfig | undefined, env: Env, options: StartTracingOptions): Promise<StartedTracing> {
  let resolved;
  try {
    resolved = resolveTracing(config, env);
  } catch (error) {
    return {
      tracing: undefined,
      observer: undefined,
      lines: [{ level: "warn", text: `Failed to initialize tracing provider: ${errorText(error)}; tracing is off` }],
    };
  }
  const { settings, warnings } = resolved;
  const lines: StartupLine[] = warnings.map((text) => ({ level: "warn", text }));
  if (!settings) {
    lines.push({ level: "info", text: "OpenTelemetry tracing disabled (no OTLP endpoint configured)" });
    return { tracing: undefined, observer: undefined, lines };
  }
  const [{ createTracing }, { spanObserver }] = await Promise.all([import("./tracing.ts"), import("./span-observer.ts")]);
  const endpoint = settings.endpoints.map((target) => urlWithoutSecrets(target.url)).join(",");
  lines.push({
    level: "info",
    text: `OpenTelemetry tracing enabled: endpoint=${endpoint}, service=${settings.serviceName}, sampleRate=${settings.sampleRate.toFixed(2)}`,
  });
  const tracing = createTracing(settings, options);
  return { tracing, observer: spanObserver(tracing, options.listedTools ?? (() => undefined)), lines };
}
