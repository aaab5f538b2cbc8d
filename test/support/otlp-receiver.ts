// An OTLP/HTTP trace receiver for tests: HTTPS on 127.0.0.1, port 0, with a certificate from a
// CA made for the test (src/proxy/tls.ts makes both), or plain HTTP when asked. It parses the JSON the exporter sends and
// keeps every span with its resource, and every request's headers, for tests to assert on.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTlsMaterial } from "../../src/proxy/tls.ts";

export interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  /** "" when the span has no parent. */
  parentSpanId: string;
  /** OTLP's numbers: 1 internal, 2 server, 3 client. */
  kind: number;
  startNanos: bigint;
  endNanos: bigint;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  status: { code?: number; message?: string };
  /** The resource the span was exported with (service.name and the rest). */
  resource: Record<string, unknown>;
}

export interface OtlpReceiver {
  /** The collector's base URL (https://127.0.0.1:<port>, or http:// when plain): the exporter appends /v1/traces. */
  url: string;
  /** The test CA's certificate file: OTEL_EXPORTER_OTLP_CERTIFICATE or NODE_EXTRA_CA_CERTS for the exporter. */
  caPath: string;
  spans: ReceivedSpan[];
  /** Each export request's path, headers and body text, in arrival order. */
  requests: { path: string; headers: Record<string, string | string[] | undefined>; body: string }[];
  /** The spans received so far once `done(spans)` holds, waiting for more exports until `timeoutMs`. */
  waitFor(done: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  /** From now on, answer every export with this status (a collector that fails), without keeping the spans. */
  answerWith(status: number): void;
  close(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
type OtlpAttribute = { key: string; value: OtlpValue };

function attributes(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) {
    result[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.doubleValue ?? value.boolValue));
  }
  return result;
}

interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: {
        name: string;
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        kind: number;
        startTimeUnixNano: string;
        endTimeUnixNano: string;
        attributes?: OtlpAttribute[];
        events?: { name: string; attributes?: OtlpAttribute[] }[];
        status?: { code?: number; message?: string };
      }[];
    }[];
  }[];
}

function spansOf(body: OtlpExport): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = attributes(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        name: span.name,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? "",
        kind: span.kind,
        startNanos: BigInt(span.startTimeUnixNano),
        endNanos: BigInt(span.endTimeUnixNano),
        attributes: attributes(span.attributes),
        events: (span.events ?? []).map((event) => ({ name: event.name, attributes: attributes(event.attributes) })),
        status: span.status ?? {},
        resource,
      })),
    );
  });
}

export async function startOtlpReceiver(options: { plain?: boolean } = {}): Promise<OtlpReceiver> {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-otlp-"));
  const tls = await generateTlsMaterial(dir);
  const spans: ReceivedSpan[] = [];
  const requests: OtlpReceiver["requests"] = [];
  const waiters = new Set<() => void>();
  let failStatus: number | undefined;
  const receive = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ path: req.url ?? "", headers: { ...req.headers }, body });
      if (failStatus !== undefined) {
        res.writeHead(failStatus, { "content-type": "application/json" }).end("{}");
      } else {
        spans.push(...spansOf(JSON.parse(body) as OtlpExport));
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      }
      for (const wake of waiters) wake();
    });
  };
  const server = options.plain ? createHttpServer(receive) : createHttpsServer({ cert: tls.cert, key: tls.key }, receive);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.plain ? "http" : "https"}://127.0.0.1:${port}`,
    caPath: tls.caCertPath,
    spans,
    requests,
    waitFor(done, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!done(spans)) return;
          finish();
          resolve(spans);
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`the receiver did not get the expected spans within ${timeoutMs} ms; got: ${spans.map((span) => span.name).join(", ")}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    answerWith(status) {
      failStatus = status;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
