import { createServer, request, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordingProxy {
  url: string;
  seen: IncomingHttpHeaders[];
  methods: string[];
  /** Every non-empty request body, whole, in the order they ended. */
  bodies: string[];
  /** The first body at index `from` or later that passes `test`: at once if there is one, else when it arrives. */
  bodyMatching(test: (body: string) => boolean, from?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A pass-through HTTP proxy in front of a real MCP server that remembers the headers, the
 * JSON-RPC methods and the bodies of every request, so a test can see what the gateway sends to
 * an HTTP backend.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const seen: IncomingHttpHeaders[] = [];
  const methods: string[] = [];
  const bodies: string[] = [];
  const waiters = new Set<{ test: (body: string) => boolean; from: number; resolve: (body: string) => void }>();
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      const method = /"method":"([^"]+)"/.exec(chunk.toString("utf8"))?.[1];
      if (method) methods.push(method);
    });
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (body === "") return;
      bodies.push(body);
      for (const waiter of waiters) {
        if (bodies.length - 1 < waiter.from || !waiter.test(body)) continue;
        waiters.delete(waiter);
        waiter.resolve(body);
      }
    });
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forwarded);
    forwarded.on("error", () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    seen,
    methods,
    bodies,
    bodyMatching: (test, from = 0) =>
      new Promise((resolve) => {
        const found = bodies.slice(from).find(test);
        if (found !== undefined) resolve(found);
        else waiters.add({ test, from, resolve });
      }),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
