import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { HttpServerConfig, StdioServerConfig } from "../../src/config/types.ts";

const modules = new URL("../../node_modules/@modelcontextprotocol/", import.meta.url);
export const EVERYTHING_SCRIPT = fileURLToPath(new URL("server-everything/dist/index.js", modules));
export const MEMORY_SCRIPT = fileURLToPath(new URL("server-memory/dist/index.js", modules));

const serverDefaults = { rateLimitThreshold: 3, rateLimitCooldown: 60 };

/** A stdio server running one of the npm MCP servers on this Node (not the system one). */
export function stdioServer(id: string, script: string, extra: Partial<StdioServerConfig> = {}): StdioServerConfig {
  return { ...serverDefaults, id, type: "stdio", command: process.execPath, args: [script], env: {}, unisolated: true, ...extra };
}

export function httpServer(id: string, url: string, extra: Partial<HttpServerConfig> = {}): HttpServerConfig {
  return { ...serverDefaults, id, type: "http", url, headers: {}, connectTimeout: 10, ...extra };
}

const LOOPBACK_LISTEN = new URL("./loopback-listen.mjs", import.meta.url).href;

/**
 * server-everything in its own streamable HTTP (or legacy SSE) mode. It listens on every
 * interface at a fixed PORT, so a preload binds it to 127.0.0.1 and port 0 (or the port given)
 * and reports the port it got.
 */
export async function startEverythingHttp(
  transport: "streamableHttp" | "sse" = "streamableHttp",
  requestedPort = 0,
): Promise<{ url: string; port: number; process: ChildProcess; stop(): Promise<void> }> {
  const started = await startListeningScript(EVERYTHING_SCRIPT, [transport], requestedPort);
  return { ...started, url: `http://127.0.0.1:${started.port}${transport === "sse" ? "/sse" : "/mcp"}` };
}

/** A Node script that listens on PORT, run bound to 127.0.0.1 and port 0 (or the port given); resolves with the port it got. */
export async function startListeningScript(
  script: string,
  args: string[],
  requestedPort = 0,
): Promise<{ port: number; process: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", LOOPBACK_LISTEN, script, ...args], {
    env: { ...process.env, PORT: String(requestedPort) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stderr! });
    lines.on("line", (line) => {
      const bound = /^loopback-listen: (\d+)$/.exec(line);
      if (bound) resolve(Number(bound[1]));
    });
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  return {
    port,
    process: child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    },
  };
}

/**
 * A port nothing listens on right now, for the one contract that cannot take port 0: the container
 * entrypoint scripts refuse it, as the reference's do. Anything that can bind port 0 should.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
