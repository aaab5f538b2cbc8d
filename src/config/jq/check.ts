// Checks jq programs synchronously, so the configuration loaders stay synchronous: jq runs in
// a worker thread (jq-wasm only loads asynchronously) while this thread blocks on an Atomics
// wait, as readFileSync would. Booting the worker costs far more than checking, so it is kept
// for a few seconds after each use (unreferenced: it never holds the process open).
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { workerEnv } from "../../shared/index.ts";

const WORKER_URL = new URL("./check-worker.ts", import.meta.url);
/** Booting the worker and loading jq takes a fraction of a second; this only bounds a hang. */
const CHECK_TIMEOUT_MS = 30_000;
const IDLE_MS = 10_000;

type CheckAnswer = { errors: Array<string | null> } | { failure: string };

interface Checker {
  worker: Worker;
  answers: MessagePort;
  signal: Int32Array;
  idle?: NodeJS.Timeout;
}

let checker: Checker | undefined;

function startChecker(): Checker {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_URL, { env: workerEnv(), workerData: { answers: port2, signal }, transferList: [port2] });
  worker.unref();
  port1.unref();
  const started: Checker = { worker, answers: port1, signal };
  worker.on("exit", () => {
    if (checker === started) checker = undefined;
  });
  return started;
}

function stopChecker(stopped: Checker): void {
  if (checker === stopped) checker = undefined;
  clearTimeout(stopped.idle);
  stopped.answers.close();
  void stopped.worker.terminate();
}

/**
 * jq's stderr for each program that does not compile (null for those that do). Throws when the
 * jq engine cannot be started or does not answer.
 */
export function compileErrors(programs: readonly string[]): Array<string | null> {
  if (programs.length === 0) return [];
  const current = (checker ??= startChecker());
  clearTimeout(current.idle);
  Atomics.store(current.signal, 0, 0);
  current.worker.postMessage([...programs]);
  Atomics.wait(current.signal, 0, 0, CHECK_TIMEOUT_MS);
  const answer = receiveMessageOnPort(current.answers)?.message as CheckAnswer | undefined;
  if (answer === undefined || "failure" in answer) {
    stopChecker(current);
    throw new Error(answer ? answer.failure : `the jq engine did not answer within ${CHECK_TIMEOUT_MS / 1000} s`);
  }
  current.idle = setTimeout(() => stopChecker(current), IDLE_MS).unref();
  return answer.errors;
}
