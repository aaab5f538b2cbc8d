import type { Backend } from "../backends/index.ts";
import type { GatewayLogger } from "../log/index.ts";

/** The reference's health check period (gateway.md §4.5). */
export const HEALTH_CHECK_INTERVAL_MS = 30_000;
/** Consecutive failed relaunches of one server after which the health check leaves it alone. */
const MAX_RESTART_ATTEMPTS = 3;

/**
 * The periodic health check (spec §8, gateway.md §4.5): every interval, each backend in `error`
 * is relaunched (discovered again: launch, tools/list, close), so a crashed server comes back
 * even when no agent calls it. After three failed relaunches in a row it is left in `error`;
 * an agent's next call still tries (BackendSession), and a success resets the count.
 */
export function startHealthMonitor(backends: Iterable<Backend>, logger: GatewayLogger, intervalMs = HEALTH_CHECK_INTERVAL_MS): { stop(): void } {
  const checking = new Set<Backend>();
  const check = async (backend: Backend) => {
    const { healthCheck } = backend;
    if (backend.status !== "error") {
      healthCheck.failedInARow = 0;
      healthCheck.gaveUp = false;
      return;
    }
    if (healthCheck.gaveUp || checking.has(backend)) return;
    checking.add(backend);
    healthCheck.relaunches++;
    logger.log("info", "backend", `Health check: server "${backend.id}" is in error state (${backend.lastError ?? "failed"}), relaunching`);
    await backend.discover();
    checking.delete(backend);
    if (backend.status !== "error") {
      healthCheck.failedInARow = 0;
      logger.log("info", "backend", `Health check: server "${backend.id}" relaunched`);
      return;
    }
    healthCheck.failedInARow++;
    if (healthCheck.failedInARow >= MAX_RESTART_ATTEMPTS) {
      healthCheck.gaveUp = true;
      logger.log(
        "error",
        "backend",
        `Health check: server "${backend.id}" reached max restart attempts (${MAX_RESTART_ATTEMPTS}), will not retry until gateway restart`,
      );
    }
  };
  const all = [...backends];
  const timer = setInterval(() => {
    for (const backend of all) void check(backend);
  }, intervalMs);
  // Shutdown stops it; it must never be what keeps the process alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
