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

/** server-everything in its own streamable HTTP (or legacy SSE) mode, on a free loopback port. */
export async function startEverythingHttp(
  transport: "streamableHttp" | "sse" = "streamableHttp",
  port?: number,
): Promise<{ url: string; port: number; process: ChildProcess; stop(): Promise<void> }> {
  port ??= await freePort();
  const child = spawn(process.execPath, [EVERYTHING_SCRIPT, transport], {
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stderr! });
    lines.on("line", (line) => {
      if (line.includes("listening on port") || line.includes("running on port")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`server-everything exited with ${code} before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}${transport === "sse" ? "/sse" : "/mcp"}`,
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

/** A port nothing listens on right now (server-everything takes a port number, not 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
