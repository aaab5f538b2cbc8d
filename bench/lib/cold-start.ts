// Cold start: from spawning flowgate to its first `/health` 200, with and without a generated
// 3 MB guard, and the backend's own spawn-to-initialize time measured in the same repetition so
// that it can be subtracted. flowgate spawns its stdio backends as soon as its configuration is
// valid, loads its guards while it initializes them, and listens only once both are done, so
// /health answering means both are done.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { generatedGuard } from "./large-guard.ts";
import { freePort, startProcess } from "./processes.ts";
import { median } from "./stats.ts";
import { everythingServer, flowgateBin } from "./targets.ts";

const GUARD_BYTES = 3 * 1024 * 1024;
const HEALTH_TIMEOUT_MS = 30_000;
/** How often /health is asked while flowgate starts: the figure's resolution. */
const POLL_INTERVAL_MS = 5;

export interface ColdStartReport {
  repetitions: number;
  guardBytes: number;
  pollIntervalMs: number;
  /** Per repetition, milliseconds. */
  backendSpawnMs: number[];
  /** Empty when left out (--quick). */
  noGuardMs: number[];
  largeGuardMs: number[];
  /** Per repetition: largeGuardMs[i] − backendSpawnMs[i]. */
  largeGuardBeyondBackendMs: number[];
  median: { backendSpawnMs: number; noGuardMs: number; largeGuardMs: number; largeGuardBeyondBackendMs: number };
}

/** The backend alone: spawn server-everything and complete the MCP initialize handshake. */
async function backendSpawnMs(): Promise<number> {
  const client = new Client({ name: "flowgate-bench", version: "1.0.0" });
  const start = performance.now();
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [everythingServer, "stdio"], stderr: "ignore" }));
  const elapsed = performance.now() - start;
  await client.close();
  return elapsed;
}

/** Spawns flowgate with a config and polls /health until it answers 200. */
async function timeToHealthMs(configPath: string, logDir: string): Promise<number> {
  const port = await freePort();
  const start = performance.now();
  const gateway = startProcess(process.execPath, [flowgateBin, "--config", configPath, "--listen", `127.0.0.1:${port}`, "--log-dir", logDir]);
  try {
    const deadline = start + HEALTH_TIMEOUT_MS;
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${port}/health`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return performance.now() - start;
      if (gateway.child.exitCode !== null) throw new Error(`flowgate exited before /health answered:\n${gateway.output().slice(-2000)}`);
      if (performance.now() > deadline) throw new Error(`flowgate's /health did not answer 200 within ${HEALTH_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  } finally {
    await gateway.kill();
  }
}

function configToml(guardPath?: string): string {
  const server = `[gateway]
agent_id = "bench-agent"

[servers.everything]
command = ${JSON.stringify(process.execPath)}
args = [${JSON.stringify(everythingServer)}, "stdio"]
`;
  if (!guardPath) return server;
  return `${server}guard = "large"

[guards.large]
type = "wasm"
path = ${JSON.stringify(guardPath)}

[guards.large.policy.allow-only]
repos = "all"
min-integrity = "none"
`;
}

/**
 * Interleaves backend spawn, flowgate without guard (unless left out) and flowgate with the 3 MB
 * guard, `repetitions` times.
 */
export async function measureColdStart(repetitions: number, { withoutGuard }: { withoutGuard: boolean }): Promise<ColdStartReport> {
  const dir = await mkdtemp(join(tmpdir(), "flowgate-bench-cold-"));
  const guardPath = join(dir, "large-guard.wasm");
  const guard = await generatedGuard(GUARD_BYTES, 1);
  await writeFile(guardPath, guard);
  const plainConfig = join(dir, "plain.toml");
  const guardedConfig = join(dir, "guarded.toml");
  await writeFile(plainConfig, configToml());
  await writeFile(guardedConfig, configToml(guardPath));

  const backendSpawn: number[] = [];
  const noGuard: number[] = [];
  const largeGuard: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    backendSpawn.push(await backendSpawnMs());
    if (withoutGuard) noGuard.push(await timeToHealthMs(plainConfig, join(dir, `logs-plain-${i}`)));
    largeGuard.push(await timeToHealthMs(guardedConfig, join(dir, `logs-guarded-${i}`)));
  }
  const beyond = largeGuard.map((ms, i) => ms - (backendSpawn[i] ?? Number.NaN));
  return {
    repetitions,
    guardBytes: guard.length,
    pollIntervalMs: POLL_INTERVAL_MS,
    backendSpawnMs: backendSpawn,
    noGuardMs: noGuard,
    largeGuardMs: largeGuard,
    largeGuardBeyondBackendMs: beyond,
    median: { backendSpawnMs: median(backendSpawn), noGuardMs: median(noGuard), largeGuardMs: median(largeGuard), largeGuardBeyondBackendMs: median(beyond) },
  };
}
