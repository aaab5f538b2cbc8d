// The span exporter: one OTLP/HTTP exporter per endpoint, every batch sent to all of them at once
// (GH_AW_OTLP_ENDPOINTS fan-out). A failed export is a warning in the log, once per endpoint until
// it works again, so a collector that is down neither floods the log nor touches a request.
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { errorText, urlWithoutSecrets } from "../../shared/index.ts";
import type { OtlpEndpoint } from "./settings.ts";

/** The reference's export timeout. */
const EXPORT_TIMEOUT_MS = 10_000;

export type WarnFunction = (level: "warn" | "info", message: string) => void;

interface Target {
  endpoint: OtlpEndpoint;
  exporter: SpanExporter;
  failing: boolean;
}

export class FanOutExporter implements SpanExporter {
  readonly #targets: Target[];
  readonly #report: WarnFunction;

  constructor(endpoints: readonly OtlpEndpoint[], ca: Buffer | undefined, report: WarnFunction) {
    this.#report = report;
    this.#targets = endpoints.map((endpoint) => ({
      endpoint,
      failing: false,
      exporter: new OTLPTraceExporter({
        url: endpoint.url,
        headers: endpoint.headers,
        timeoutMillis: EXPORT_TIMEOUT_MS,
        // The collector's own CA replaces the system's only when one is configured.
        ...(ca ? { httpAgentOptions: { keepAlive: true, ca } } : {}),
      }),
    }));
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const sends = this.#targets.map((target) =>
      new Promise<ExportResult>((resolve) => target.exporter.export(spans, resolve)).then((result) => this.#noted(target, result)),
    );
    // Partial failures are tolerated: the batch counts as exported when one endpoint took it.
    void Promise.all(sends).then((results) => done(results.find((result) => result.code === ExportResultCode.SUCCESS) ?? results[0]!));
  }

  #noted(target: Target, result: ExportResult): ExportResult {
    const where = urlWithoutSecrets(target.endpoint.url);
    if (result.code === ExportResultCode.SUCCESS) {
      if (target.failing) this.#report("info", `OpenTelemetry export to ${where} works again`);
      target.failing = false;
    } else if (!target.failing) {
      target.failing = true;
      this.#report(
        "warn",
        `OpenTelemetry export to ${where} failed: ${result.error ? errorText(result.error) : "unknown error"} (spans are dropped until it works again)`,
      );
    }
    return result;
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.#targets.map((target) => target.exporter.forceFlush?.()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.#targets.map((target) => target.exporter.shutdown().catch(() => undefined)));
  }
}
