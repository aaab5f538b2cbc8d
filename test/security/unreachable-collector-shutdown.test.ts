// Attack (or accident): the OpenTelemetry collector accepts connections and never answers, or
// refuses them. Shutdown stops waiting for the last spans after 5 s, but the exporter's request
// timeout (10 s) and its retries are timers of its own that held the process: a gateway told to
// stop took over 11 s to exit, past `docker stop`'s 10 s before SIGKILL. The process must be gone
// within the 5 s flush and half a second of its usual shutdown.
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEMORY_SCRIPT } from "../support/mcp-servers.ts";
import { ended } from "../support/processes.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
/** The 5 s the flush may take, half a second of grace, and room for a loaded machine. */
const EXIT_BOUND_MS = 7_500;

let silent: Server;
const held: Socket[] = [];
let refusedPort: number;

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  // Reads every request and never answers.
  silent = createServer((socket) => {
    held.push(socket);
    socket.resume();
  });
  await listening(silent);
  // A port nothing listens on: bound once, then closed.
  const closed = createServer();
  refusedPort = await listening(closed);
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
});

const COLLECTORS = [
  { collector: "never answers", endpoint: () => `http://127.0.0.1:${(silent.address() as AddressInfo).port}` },
  { collector: "refuses connections", endpoint: () => `http://127.0.0.1:${refusedPort}` },
];

describe("shutdown with a collector that cannot take the last spans", () => {
  it.each(COLLECTORS)("a gateway whose collector $collector exits within the flush limit after SIGTERM", async ({ endpoint }) => {
    const dir = await mkdtemp(join(tmpdir(), "flowgate-collector-shutdown-"));
    const config = join(dir, "flowgate.toml");
    await writeFile(
      config,
      `[gateway]\nagent_id = "shutdown-test"\n\n[servers.memory]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(MEMORY_SCRIPT)}]\n`,
    );
    const child = spawn(
      process.execPath,
      [join(repoRoot, "bin/flowgate.js"), "--config", config, "--listen", "127.0.0.1:0", "--log-dir", join(dir, "logs"), "--otlp-endpoint", endpoint()],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // The client configuration on stdout: the gateway serves.
    await new Promise<void>((resolve, reject) => {
      let stdout = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.endsWith("}\n")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`flowgate exited with ${code}:\n${stderr}`)));
    });
    const started = performance.now();
    await ended(child, "SIGTERM");
    const took = performance.now() - started;
    expect(stderr).toContain("Shutting down gateway");
    expect(child.exitCode).toBe(0);
    expect(took).toBeLessThan(EXIT_BOUND_MS);
  });
});
