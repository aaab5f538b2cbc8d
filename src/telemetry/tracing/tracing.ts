// One gateway's (or proxy's) tracer: its own provider, batch processor and exporters, and one
// root span for the process lifetime. Nothing is registered globally (no global tracer provider,
// context manager or propagator), so several gateways in one process each trace on their own.
import { hostname } from "node:os";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, defaultTextMapGetter, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, TraceIdRatioBasedSampler, TracerProvider, type Sampler } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import type { ObservedAttributes } from "../../shared/index.ts";
import { FanOutExporter, type WarnFunction } from "./exporter.ts";
import type { TracingSettings } from "./settings.ts";

/** The reference's batch processor: at most 256 spans a batch, sent every 2 s. */
const MAX_EXPORT_BATCH = 256;
const BATCH_DELAY_MS = 2_000;
/** How long shutdown waits for the last spans to be sent. */
const SHUTDOWN_FLUSH_MS = 5_000;
const INSTRUMENTATION_SCOPE = "flowgate";

export type SpanRole = "server" | "internal" | "client";

const KINDS: Record<SpanRole, SpanKind> = { server: SpanKind.SERVER, internal: SpanKind.INTERNAL, client: SpanKind.CLIENT };

/** What running work can add to its span. */
export interface SpanHandle {
  set(attributes: ObservedAttributes): void;
  event(name: string, attributes?: ObservedAttributes): void;
  /** Marks the span failed; `description` must be free of request data. */
  fail(description: string): void;
}

/**
 * The W3C trace context an incoming HTTP request carried: its traceparent alone. A tracestate is
 * free text of the client's (up to 512 characters) that every span of the trace would carry to
 * the collector, where an agent could spell out what it read; it is not taken.
 */
export interface IncomingTraceContext {
  traceparent?: string | undefined;
}

export interface Tracing {
  /**
   * Runs `work` in a span, nested in the span running when it starts (the root span when none
   * runs, or the incoming request's parent when `incoming` names a valid one). A throw fails the
   * span with the error's class name only and is passed on unchanged.
   */
  span<T>(name: string, role: SpanRole, attributes: ObservedAttributes, work: (span: SpanHandle) => Promise<T>, incoming?: IncomingTraceContext): Promise<T>;
  /** A span event on the span running now (the root span when none runs). */
  event(name: string, attributes?: ObservedAttributes): void;
  /** A span of no length, inside the span running now: a decision taken at one instant. */
  mark(name: string, attributes: ObservedAttributes): void;
  /** Ends the root span and sends what is left, waiting at most 5 s. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** service.version: the gateway's version. */
  version: string;
  /** The root span's name: it lasts as long as the process serves. */
  rootSpanName: string;
  /** Export failures (warn) and recoveries (info), for the gateway's log. */
  report: WarnFunction;
}

function sampler(rate: number): Sampler {
  if (rate >= 1) return new AlwaysOnSampler();
  if (rate <= 0) return new AlwaysOffSampler();
  // Not parent-based, as the reference: the gateway's own rate decides even under a sampled parent.
  return new TraceIdRatioBasedSampler(rate);
}

/** Attributes without the undefined ones, which OTel would drop anyway. */
function defined(attributes: ObservedAttributes): Attributes {
  const result: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) result[key] = value;
  return result;
}

export function createTracing(settings: TracingSettings, options: TracingOptions): Tracing {
  const provider = new TracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: settings.serviceName,
        [ATTR_SERVICE_VERSION]: options.version,
        "process.pid": process.pid,
        "host.name": hostname(),
      }),
    ),
    sampler: sampler(settings.sampleRate),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new FanOutExporter(settings.endpoints, settings.ca, options.report),
        maxExportBatchSize: MAX_EXPORT_BATCH,
        scheduledDelayMillis: BATCH_DELAY_MS,
      }),
    ],
  });
  const tracer = provider.getTracer(INSTRUMENTATION_SCOPE, options.version);
  const contexts = new AsyncLocalStorageContextManager();
  const propagator = new W3CTraceContextPropagator();

  const configuredParent = settings.parent
    ? trace.setSpanContext(ROOT_CONTEXT, { ...settings.parent, traceFlags: TraceFlags.SAMPLED, isRemote: true })
    : ROOT_CONTEXT;
  const root = tracer.startSpan(options.rootSpanName, { kind: SpanKind.INTERNAL }, configuredParent);
  const rootContext = trace.setSpan(configuredParent, root);
  const running = (): Context => {
    const active = contexts.active();
    return active === ROOT_CONTEXT ? rootContext : active;
  };
  const parentFor = (incoming: IncomingTraceContext | undefined): Context => {
    if (incoming?.traceparent === undefined) return running();
    const extracted = propagator.extract(ROOT_CONTEXT, { traceparent: incoming.traceparent }, defaultTextMapGetter);
    return trace.getSpanContext(extracted) ? extracted : running();
  };
  const handleOf = (span: Span): SpanHandle => ({
    set: (attributes) => span.setAttributes(defined(attributes)),
    event: (name, attributes = {}) => span.addEvent(name, defined(attributes)),
    fail: (description) => span.setStatus({ code: SpanStatusCode.ERROR, message: description }),
  });
  let shutDown: Promise<void> | undefined;

  return {
    span(name, role, attributes, work, incoming) {
      const parent = parentFor(incoming);
      const span = tracer.startSpan(name, { kind: KINDS[role], attributes: defined(attributes) }, parent);
      return contexts.with(trace.setSpan(parent, span), async () => {
        try {
          return await work(handleOf(span));
        } catch (error) {
          // The class name only: an error's message may quote what the agent sent or the backend answered.
          const type = error instanceof Error ? error.constructor.name : typeof error;
          span.setAttribute("error.type", type);
          span.setStatus({ code: SpanStatusCode.ERROR, message: type });
          throw error;
        } finally {
          span.end();
        }
      });
    },
    event(name, attributes = {}) {
      trace.getSpan(running())?.addEvent(name, defined(attributes));
    },
    mark(name, attributes) {
      tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes: defined(attributes) }, running()).end();
    },
    shutdown() {
      shutDown ??= (async () => {
        root.end();
        let timer: NodeJS.Timeout | undefined;
        const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS).unref()));
        await Promise.race([provider.shutdown().catch(() => undefined), limit]);
        clearTimeout(timer);
      })();
      return shutDown;
    },
  };
}
