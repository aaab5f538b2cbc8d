// Starting a worker thread costs tens to hundreds of milliseconds (a new V8 isolate plus
// loading the worker's modules), far more than instantiating a guard in it. So the host keeps
// one booted, blank worker ready for the whole process: a guard that needs a worker (at load,
// or to replace one stopped at a deadline) takes it and a new spare boots in the background soon after.
import { Worker } from "node:worker_threads";
import { WORKER_HEAP_LIMIT_MB, WORKER_YOUNG_GENERATION_MB } from "./limits.ts";
import type { WorkerToHost } from "./worker/messages.ts";
import { workerEnv } from "../shared/index.ts";

const WORKER_URL = new URL("./worker/guard-worker.ts", import.meta.url);

let spare: Promise<Worker> | undefined;

function boot(): Promise<Worker> {
  const worker = new Worker(WORKER_URL, {
    env: workerEnv(),
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_LIMIT_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    // Guard output goes to the log through messages, never to the gateway's stdio.
    stdin: false,
    stdout: true,
    stderr: true,
  });
  // An idle spare must not keep the process alive.
  worker.unref();
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`guard worker exited with code ${code} while booting`));
    worker.once("error", reject);
    worker.once("exit", onExit);
    worker.once("message", (message: WorkerToHost) => {
      worker.off("error", reject);
      worker.off("exit", onExit);
      if (message.kind === "booted") resolve(worker);
      else reject(new Error(`guard worker sent ${message.kind} instead of booting`));
    });
  });
}

/**
 * Starts booting the spare ahead of a first guard load, so that its boot (about 50 ms) overlaps
 * other startup work, such as parsing the configuration, instead of that load. An idle spare does
 * not keep the process alive.
 */
export function bootSpareWorker(): void {
  if (spare) return;
  const booting = boot();
  spare = booting;
  // A spare that failed to boot is replaced on the next take instead of failing it.
  booting.catch(() => {
    if (spare === booting) spare = undefined;
  });
}

/**
 * How long after a spare is taken its replacement starts to boot. The first take comes at
 * start-up, while the backends start and the first guards compile on the same cores: a boot
 * then (about 300 ms of CPU on a busy 2-core machine) slowed exactly what the start waits for.
 * A later take (replacing a worker stopped at its deadline) gets the spare that is already there,
 * so the delay costs it nothing, and it bounds how fast a guard that keeps timing out can make the
 * host boot new workers (besides the back-off in wasm-guard.ts).
 */
const REPLACEMENT_DELAY_MS = 1000;
let replacementTimer: NodeJS.Timeout | undefined;

function bootReplacementLater(): void {
  if (replacementTimer !== undefined) return;
  replacementTimer = setTimeout(() => {
    replacementTimer = undefined;
    bootSpareWorker();
  }, REPLACEMENT_DELAY_MS);
  // A pending replacement must not keep the process alive either.
  replacementTimer.unref();
}

/** A booted blank worker (the spare, or one booted now); the caller owns it. */
export function takeBootedWorker(): Promise<Worker> {
  const next = spare ?? boot();
  spare = undefined;
  bootReplacementLater();
  return next;
}

/** Takes a booted worker for later use; a failed boot is reported only to whoever awaits it. */
export function reserveBootedWorker(): Promise<Worker> {
  const worker = takeBootedWorker();
  worker.catch(() => {});
  return worker;
}

/** Stops a reserved worker that is no longer needed. */
export function discardBootedWorker(worker: Promise<Worker>): void {
  worker
    .then(
      (w) => w.terminate(),
      () => {},
    )
    .catch(() => {});
}
