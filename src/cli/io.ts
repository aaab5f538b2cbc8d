// What every command is given and may throw. Apart from main.ts, so the command files do not
// import the module that imports them.
import { CodedError } from "../shared/index.ts";

/** Where a command writes; tests pass their own to capture output. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** What commands read as standard input; process.stdin when absent. */
  stdin?: AsyncIterable<string | Uint8Array>;
}

/** Thrown by a command to end the process with `code` as its exit code, after printing its own output. */
export class CliExit extends CodedError {
  constructor(code: number, message = `exit ${code}`) {
    super(code, message);
  }
}
