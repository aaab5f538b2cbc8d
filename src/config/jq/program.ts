// The jq programs flowgate hands to jq for a `tool_response_filters` expression, and the error
// text it reports back. jq has no compile-only mode, so the load-time check puts the expression
// behind a binding that produces nothing (it compiles but never runs); the runtime program
// stops after two outputs (one is required, a second is an error) and sees an empty environment.

/** Put before the expression on the same line: `empty as $x | E` compiles E and never runs it. */
const CHECK_PREFIX = "empty as $__flowgate_check | ";

/** The program that only compiles `filter`. */
export function compileCheckProgram(filter: string): string {
  return `${CHECK_PREFIX}${filter}`;
}

/**
 * The program that runs `filter`: `env` and `$ENV` are empty (the reference disables the
 * environment), and at most two outputs are produced, so a generator cannot flood the engine.
 * The newline ends a trailing `#` comment before the closing parenthesis.
 */
export function runtimeProgram(filter: string): string {
  return `def env: {}; {} as $ENV | limit(2; ${filter}\n)`;
}

/** Where the comment starting at `start` ends: its newline, unless an odd run of `\` continues it. */
function commentEnd(filter: string, start: number): number {
  let end = filter.indexOf("\n", start);
  while (end !== -1) {
    let slashes = 0;
    while (filter[end - 1 - slashes] === "\\") slashes++;
    if (slashes % 2 === 0) return end;
    end = filter.indexOf("\n", end + 1);
  }
  return filter.length;
}

/**
 * True when `filter` uses `$ENV` outside string literals and comments. This is for a clear load
 * error only: the runtime program binds `$ENV` to `{}` whatever this finds.
 */
export function readsEnvironment(filter: string): boolean {
  // Interpolations `\( … )` inside strings are code; `depths` holds, for each open one, the
  // parenthesis depth at which it closes back into its string.
  const depths: number[] = [];
  let parens = 0;
  let inString = false;
  for (let i = 0; i < filter.length; i++) {
    const char = filter[i];
    if (inString) {
      if (char === "\\" && filter[i + 1] === "(") {
        depths.push(parens);
        parens++;
        inString = false;
        i++;
      } else if (char === "\\") {
        i++;
      } else if (char === '"') {
        inString = false;
      }
      continue;
    }
    if (char === '"') inString = true;
    else if (char === "#") i = commentEnd(filter, i);
    else if (char === "(") parens++;
    else if (char === ")") {
      parens--;
      if (depths.at(-1) === parens) {
        depths.pop();
        inString = true;
      }
    } else if (char === "$" && /^\$ENV(?![A-Za-z0-9_])/.test(filter.slice(i, i + 5))) return true;
  }
  return false;
}

const LOCATION = / at <top-level>, line (\d+), column (\d+):$/;

/**
 * jq's stderr for a failed compile of `compileCheckProgram(filter)`, as one line about the
 * user's own expression: the `jq: error:` prefixes, source excerpts and the closing count go;
 * line 1 columns are shifted back past the check prefix.
 */
export function describeCompileError(stderr: string): string {
  const messages = stderr
    .split("\n")
    .filter((line) => line.startsWith("jq: error"))
    .map((line) =>
      line.replace(/^jq: error: /, "").replace(LOCATION, (_match, line: string, column: string) => {
        const col = line === "1" ? Math.max(1, Number(column) - CHECK_PREFIX.length) : Number(column);
        return ` at line ${line}, column ${col}`;
      }),
    );
  return messages.length > 0 ? messages.join("; ") : stderr.trim() || "jq rejected the expression";
}

/** jq's stderr for a failed run, without the `jq: error (at …): ` prefixes. */
export function describeRunError(stderr: string): string {
  const lines = stderr.split("\n").filter((line) => line.startsWith("jq: error"));
  return lines.map((line) => line.replace(/^jq: error(?: \(at [^)]*\))?: /, "")).join("; ") || stderr.trim() || "jq failed";
}
