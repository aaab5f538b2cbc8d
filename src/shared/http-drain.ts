// Graceful HTTP shutdown, shared by the gateway's listener and the GitHub API proxy: wait a
// bounded time for in-flight requests, then cut what is left.
import type { Server as HttpServer } from "node:http";

/** Waits for `promise` up to `ms`; true when it settled in time. */
export async function withinMs(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([promise.then(() => true), timedOut]);
  clearTimeout(timer);
  return settled;
}

/**
 * Waits up to `ms` for the open connections of a closing server (`httpClosed` resolves when the
 * last one ends), then cuts the rest. True when nothing had to be cut.
 */
export async function closeConnections(http: HttpServer, httpClosed: Promise<void>, ms: number): Promise<boolean> {
  // Keep-alive connections go idle as their last response ends; close each as soon as it does.
  http.closeIdleConnections();
  const sweeper = setInterval(() => http.closeIdleConnections(), 20);
  const drained = await withinMs(httpClosed, ms);
  clearInterval(sweeper);
  if (!drained) {
    http.closeAllConnections();
    await httpClosed;
  }
  return drained;
}
