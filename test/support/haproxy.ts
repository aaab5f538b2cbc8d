// A real load balancer (Debian's haproxy) in front of flowgate replicas, as docs/scale-out.md
// deploys it: new MCP sessions are spread round-robin, and every later request of a session goes
// to the replica that answered its initialize, found by its Mcp-Session-Id. Each response names
// its replica in X-Flowgate-Replica so tests can tell where a session lives.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./mcp-servers.ts";

export const HAPROXY = ["/usr/sbin/haproxy", "/usr/bin/haproxy"].find((path) => existsSync(path));
export const NO_HAPROXY_REASON = "skipped: no haproxy installed (apt-get install haproxy)";

export interface Replica {
  name: string;
  port: number;
}

export interface RunningHaproxy {
  url: string;
  stop(): Promise<void>;
}

/** The configuration docs/scale-out.md shows, for these replicas on 127.0.0.1. */
export function haproxyConfig(port: number, replicas: readonly Replica[]): string {
  return `global
  maxconn 512

defaults
  mode http
  timeout connect 2s
  timeout client 5m
  timeout server 5m
  # A session whose replica is down is sent to another one, which answers 404 for the unknown
  # session: the client then starts a new session, as MCP asks.
  option redispatch
  retries 1

frontend mcp
  bind 127.0.0.1:${port}
  default_backend flowgate

backend flowgate
  balance roundrobin
  stick-table type string len 128 size 100k expire 6h
  stick on req.hdr(mcp-session-id)
  stick store-response res.hdr(mcp-session-id)
  http-response set-header X-Flowgate-Replica %[srv_name]
${replicas.map(({ name, port: replicaPort }) => `  server ${name} 127.0.0.1:${replicaPort} check inter 200ms fall 1 rise 1`).join("\n")}
`;
}

/** Starts haproxy on a free loopback port and waits until it accepts connections. */
export async function startHaproxy(replicas: readonly Replica[]): Promise<RunningHaproxy> {
  if (HAPROXY === undefined) throw new Error(NO_HAPROXY_REASON);
  const dir = await mkdtemp(join(tmpdir(), "flowgate-haproxy-"));
  // haproxy cannot bind port 0 and report it: a port that was free a moment ago is taken, and
  // taken again if another process won the race.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const file = join(dir, "haproxy.cfg");
    await writeFile(file, haproxyConfig(port, replicas));
    const child = spawn(HAPROXY, ["-db", "-f", file], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<string>((resolve) => child.once("exit", (code) => resolve(`haproxy exited with ${code}: ${stderr}`)));
    const outcome: boolean | string = await Promise.race([accepting(port, () => child.exitCode !== null || child.signalCode !== null), exited]);
    if (outcome === true) {
      return {
        url: `http://127.0.0.1:${port}`,
        async stop() {
          await ended(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    if (outcome === false) throw new Error(await exited);
    if (attempt === 3 || !/bind|address already in use/i.test(outcome)) throw new Error(outcome);
  }
}

/** True once something accepts connections on the port; false once `gone` says the server exited. */
async function accepting(port: number, gone: () => boolean): Promise<boolean> {
  for (;;) {
    if (gone()) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return true;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function ended(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  return exited;
}
