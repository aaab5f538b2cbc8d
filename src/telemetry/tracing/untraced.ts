// Tracing that records nothing: what the proxy (and any caller) uses when no endpoint is
// configured, so traced code needs no branch. It loads none of the OpenTelemetry SDK.
import type { SpanHandle, Tracing } from "./tracing.ts";

const silentSpan: SpanHandle = { set: () => undefined, event: () => undefined, fail: () => undefined };

export const untraced: Tracing = {
  span: (_name, _role, _attributes, work) => work(silentSpan),
  event: () => undefined,
  mark: () => undefined,
  shutdown: async () => undefined,
};
