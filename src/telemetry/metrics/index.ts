// The Prometheus metrics' face: the observer that counts and times what the gateway reports, and
// the listener that serves it to a scraper. The composition root loads this room only when
// --metrics-listen is set, so a gateway without metrics pays neither prom-client's load time nor a step.
export { GatewayMetrics, type MetricsSources } from "./gateway-metrics.ts";
export { serveMetrics, type MetricsListener } from "./metrics-server.ts";
