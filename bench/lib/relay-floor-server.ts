// The least an HTTP → stdio gateway can do, as a process of its own: a streamable HTTP endpoint
// that relays each request to one server-everything over stdio and its answer back, with ids
// mapped (sessions share the server, and each client counts its ids from 0) and nothing else: no
// MCP library, no validation, no logs, no guard, no DIFC. What it adds over direct stdio bounds
// from below what any gateway of that shape adds on this machine; the benchmark sets flowgate's
// and the peers' figures against it. Usage: relay-floor-server.ts <port> <server-everything entry>.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { createInterface } from "node:readline";
import { serveJsonPosts } from "./json-post-server.ts";

interface Message {
  id?: string | number;
  method?: string;
}

const [port, serverEntry] = process.argv.slice(2);
const backend = spawn(process.execPath, [serverEntry!, "stdio"], { stdio: ["pipe", "pipe", "ignore"] });
backend.on("exit", () => process.exit(1));

const waiting = new Map<number, { res: ServerResponse; id: string | number; initialize: boolean }>();
let nextWireId = 1;
// Every session's initialize is answered with the first one's result, and the server hears
// notifications/initialized once: it is one MCP connection shared by every HTTP session.
let initializeResult: unknown;
let initializedSent = false;

function respond(res: ServerResponse, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(200, { "content-type": "application/json", ...headers }).end(body);
}

createInterface({ input: backend.stdout }).on("line", (line) => {
  const message = JSON.parse(line) as Message & { result?: unknown };
  if (typeof message.id !== "number" || message.method !== undefined) return;
  const caller = waiting.get(message.id);
  if (!caller) return;
  waiting.delete(message.id);
  if (caller.initialize) initializeResult = message.result;
  respond(caller.res, JSON.stringify({ ...message, id: caller.id }), caller.initialize ? { "mcp-session-id": randomUUID() } : {});
});

serveJsonPosts(Number(port), (body, res) => {
  const message = JSON.parse(body) as Message;
  if (message.id === undefined) {
    if (message.method === "notifications/initialized" && !initializedSent) {
      initializedSent = true;
      backend.stdin.write(body + "\n");
    }
    return void res.writeHead(202).end();
  }
  if (message.method === "initialize" && initializeResult !== undefined) {
    return respond(res, JSON.stringify({ jsonrpc: "2.0", id: message.id, result: initializeResult }), { "mcp-session-id": randomUUID() });
  }
  const wireId = nextWireId++;
  waiting.set(wireId, { res, id: message.id, initialize: message.method === "initialize" });
  backend.stdin.write(JSON.stringify({ ...message, id: wireId }) + "\n");
});
