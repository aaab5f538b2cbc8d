// What the two stub servers of the benchmark share: a streamable HTTP endpoint that takes each
// POST body whole and hands it on, ends a session on DELETE, and offers no GET stream.
import { createServer, type ServerResponse } from "node:http";

/** Listens on 127.0.0.1:`port`, hands `onBody` each POST's body, and prints "listening" once bound. */
export function serveJsonPosts(port: number, onBody: (body: string, res: ServerResponse) => void): void {
  createServer((req, res) => {
    if (req.method === "DELETE") return void res.writeHead(200).end();
    if (req.method !== "POST") return void res.writeHead(405, { allow: "POST, DELETE" }).end();
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => onBody(body, res));
  }).listen(port, "127.0.0.1", () => process.stdout.write("listening\n"));
}
