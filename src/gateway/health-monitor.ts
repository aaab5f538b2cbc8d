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
  const failedRestarts = new Map<Backend, number>();
  const checking = new Set<Backend>();
  const check = async (backend: Backend) => {
    if (backend.status !== "error") {
      failedRestarts.delete(backend);
      return;
    }
    const attempts = failedRestarts.get(backend) ?? 0;
    if (attempts >= MAX_RESTART_ATTEMPTS || checking.has(backend)) return;
    checking.add(backend);
    logger.log("info", "backend", `Health check: server "${backend.id}" is in error state (${backend.lastError ?? "failed"}), relaunching`);
    await backend.discover();
    checking.delete(backend);
    if (backend.status !== "error") {
      failedRestarts.delete(backend);
      logger.log("info", "backend", `Health check: server "${backend.id}" relaunched`);
      return;
    }
    failedRestarts.set(backend, attempts + 1);
    if (attempts + 1 >= MAX_RESTART_ATTEMPTS) {
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
