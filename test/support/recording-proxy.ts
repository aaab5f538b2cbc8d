import { createServer, request, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A pass-through HTTP proxy in front of a real MCP server that remembers the headers and the
 * JSON-RPC methods and bodies of every request, so a test can see what the gateway sends to an HTTP backend.
 */
export async function startRecordingProxy(
  target: string,
): Promise<{ url: string; seen: IncomingHttpHeaders[]; methods: string[]; bodies: string[]; stop(): Promise<void> }> {
  const upstream = new URL(target);
  const seen: IncomingHttpHeaders[] = [];
  const methods: string[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      const method = /"method":"([^"]+)"/.exec(chunk.toString("utf8"))?.[1];
      if (method) methods.push(method);
    });
    req.on("end", () => {
      if (chunks.length > 0) bodies.push(Buffer.concat(chunks).toString("utf8"));
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
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
