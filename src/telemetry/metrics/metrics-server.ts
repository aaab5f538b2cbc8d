// The scrape endpoint: a listener of its own, apart from the gateway's /mcp, so that a firewall can
// open it to the Prometheus server alone. It answers GET /metrics and nothing else, without
// authentication: the series carry server ids, MCP methods, listed tool names and counts, none of
// them secret (no credential, no agent digest, no argument or result). Bound to loopback, it still
// answers only a loopback Host, as the gateway does: a web page reaching it through DNS
// rebinding learns nothing about what the gateway serves.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errorText, hostAllowed } from "../../shared/index.ts";
import type { GatewayMetrics } from "./gateway-metrics.ts";

export interface MetricsListener {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** A scrape that takes longer than this is cut: Prometheus' own default scrape timeout is 10 s. */
const SCRAPE_TIMEOUT_MS = 10_000;

/** Listens on host:port (0: any free port) and serves `metrics` at /metrics; rejects when the address cannot be bound. */
export async function serveMetrics(metrics: GatewayMetrics, host: string, port: number, onError: (text: string) => void): Promise<MetricsListener> {
  const server = createServer({ requestTimeout: SCRAPE_TIMEOUT_MS }, (req, res) => void answer(metrics, host, req, res, onError));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    host,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper keeps its connection open between scrapes; shutdown does not wait for the next one.
        server.closeAllConnections();
      }),
  };
}

async function answer(metrics: GatewayMetrics, listenHost: string, req: IncomingMessage, res: ServerResponse, onError: (text: string) => void): Promise<void> {
  if (!hostAllowed(listenHost, req.headers.host)) {
    res.writeHead(403, { "Content-Type": "text/plain; charset=utf-8" }).end(`forbidden: invalid Host header "${req.headers.host ?? ""}"\n`);
    return;
  }
  const path = new URL(req.url ?? "/", "http://metrics").pathname;
  if (path !== "/metrics") {
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found: the metrics are at GET /metrics\n");
    return;
  }
  if (req.method !== "GET") {
    res.writeHead(405, { Allow: "GET", "Content-Type": "text/plain; charset=utf-8" }).end(`method ${req.method} not allowed: use GET /metrics\n`);
    return;
  }
  try {
    const body = await metrics.exposition();
    res.writeHead(200, { "Content-Type": metrics.contentType }).end(body);
  } catch (error) {
    onError(`metrics scrape failed: ${errorText(error)}`);
    res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" }).end("the metrics could not be collected; see the gateway log\n");
  }
}
