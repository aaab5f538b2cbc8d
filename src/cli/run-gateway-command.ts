// Lazy: the early spawn alone, without the MCP SDK that src/backends/index.ts loads.
import { spawnEarlyProcesses } from "../backends/early-process.ts";
import { collectHeapWhenIdle } from "./idle-heap-collection.ts";
import type { CliIO } from "./io.ts";
import type { ServeFunction } from "./serve-command.ts";
import { VERSION } from "./version.ts";

/**
 * The real serve: the gateway on this process's environment, stopped by SIGINT or SIGTERM. The
 * configuration is valid by now, so the stdio servers' processes are spawned first, and the
 * gateway's modules (the MCP SDK, enforcement, guards: about 300 ms) load while they start.
 */
export function gatewayServe(io: CliIO): ServeFunction {
  return async (config, runtime) => {
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    // The clientInfo discovery's Client sends (src/gateway/discovery.ts), so that its initialize is answered from the early one.
    const earlyProcesses = spawnEarlyProcesses(config, { name: "flowgate", version: VERSION });
    const stopCollecting = collectHeapWhenIdle();
    try {
      const { serveGateway } = await import("../gateway/index.ts");
      return await serveGateway(config, runtime, { io, env: process.env, version: VERSION, signal: controller.signal, earlyProcesses });
    } finally {
      // Discovery has adopted and closed them; this only matters when the gateway never got that far.
      for (const child of earlyProcesses.values()) child.kill();
      stopCollecting();
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
  };
}
