// The worker behind compileErrors (jq-check.ts): for each request, compiles every program with
// jq, posts jq's error text (or null) for each on the answer port, then wakes the thread that is
// blocked waiting for it.
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { loadJq } from "jq-wasm";
import { errorText } from "../../shared/index.ts";

interface CheckChannel {
  answers: MessagePort;
  /** Set to 1 with Atomics.notify once an answer is on the port. */
  signal: Int32Array;
}

const { answers, signal } = workerData as CheckChannel;

function answer(message: unknown): void {
  answers.postMessage(message);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

const jq = loadJq();
parentPort!.on("message", (programs: string[]) => {
  jq.then(
    (engine) =>
      answer({
        errors: programs.map((program) => {
          const { exitCode, stderr } = engine.raw(null, program, ["-n"]);
          return exitCode === 0 ? null : stderr;
        }),
      }),
    (error: unknown) => answer({ failure: `jq did not load: ${errorText(error)}` }),
  ).catch((error: unknown) => answer({ failure: errorText(error) }));
});
