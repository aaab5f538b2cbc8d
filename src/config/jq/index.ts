// jq's one home: the programs flowgate runs (program.ts), the load-time compile check the config
// loaders run (check.ts), and the engine the response filters run on (engine.ts). Both checks and
// the engine run jq in worker threads: a jq call cannot be interrupted on its own thread.
export { compileErrors } from "./check.ts";
export { JqEngine } from "./engine.ts";
export { compileCheckProgram, describeCompileError, describeRunError, readsEnvironment, runtimeProgram } from "./program.ts";
