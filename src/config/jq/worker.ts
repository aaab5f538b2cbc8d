// One jq engine in a worker thread (see jq-engine.ts): runs one program at a time on the JSON
// text it is given and answers with jq's exit code, compact output and error text. A JavaScript
// exception (not a jq error) is reported as `crashed`, and the host replaces this worker.
import { parentPort } from "node:worker_threads";
import { loadJq } from "jq-wasm";
import { errorText } from "../../shared/index.ts";

export interface JqJob {
  id: number;
  program: string;
  input: string;
}

export type JqAnswer =
  { kind: "ready" } | { kind: "done"; id: number; exitCode: number; stdout: string; stderr: string } | { kind: "crashed"; id?: number; message: string };

const port = parentPort!;

try {
  const jq = await loadJq();
  port.on("message", ({ id, program, input }: JqJob) => {
    let answer: JqAnswer;
    try {
      answer = { kind: "done", id, ...jq.raw(input, program, ["-c"]) };
    } catch (error) {
      answer = { kind: "crashed", id, message: errorText(error) };
    }
    port.postMessage(answer);
  });
  port.postMessage({ kind: "ready" } satisfies JqAnswer);
} catch (error) {
  port.postMessage({ kind: "crashed", message: `jq did not load: ${errorText(error)}` } satisfies JqAnswer);
}
