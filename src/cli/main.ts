import { Command, CommanderError } from "commander";
import { registerCheckCommand } from "./check-command.ts";
import { registerDifcCommand } from "./difc-command.ts";
import { VERSION, VERSION_TEXT } from "./version.ts";
import { registerGuardCommand } from "./guard-command.ts";
import { registerProxyCommand } from "./proxy-command.ts";
import { gatewayServe } from "./run-gateway-command.ts";
import { registerServeCommand } from "./serve-command.ts";
import { CliExit, type CliIO } from "./io.ts";
import { errorText } from "../shared/index.ts";

const processIO: CliIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * The whole CLI. `registerServe` adds the root (serve) command; tests pass one that serves with a
 * recording function instead of starting a gateway.
 */
export function buildProgram(io: CliIO, registerServe: (program: Command) => void = (program) => registerServeCommand(program, io, gatewayServe(io))): Command {
  const program = new Command("flowgate")
    .description(
      `flowgate ${VERSION}, a drop-in replacement for gh-aw-mcpg (also installed as awmg).\n` +
        "An MCP gateway that labels every tool call and response with WebAssembly guards\n" +
        "and blocks the flows that would leak private data or let untrusted content steer an agent.",
    )
    .version(VERSION_TEXT, "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "show this help")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    // `flowgate check --config F`: an option after a subcommand is the subcommand's, not the root's.
    .enablePositionalOptions()
    .showHelpAfterError("(run 'flowgate --help' for usage)")
    .addHelpText(
      "after",
      "\nMemory: bin/flowgate.js restarts Node once, in the same process, with --max-semi-space-size=8\n" +
        "(a young generation of 2 × 8 MiB instead of up to 2 × 32 MiB under load). Give your own\n" +
        "--max-semi-space-size in NODE_OPTIONS, or set FLOWGATE_NODE_FLAGS=off, to run without it.\n" +
        "After a second with no work, once the heap has grown by 32 MiB, one full collection gives\n" +
        "the memory a burst of calls left behind back to the system.",
    );
  // Each subcommand lives in its own file under src/cli and registers itself here.
  registerServe(program);
  registerCheckCommand(program, io);
  registerDifcCommand(program, io);
  registerGuardCommand(program, io);
  registerProxyCommand(program, io);
  return program;
}

/** Runs the CLI on argv (as process.argv: node, script, args...) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliExit) return error.code;
    io.err(`flowgate: ${errorText(error)}\n`);
    return 1;
  }
}

/**
 * How long the process may linger once the command is done. Shutdown gives up on a trace
 * collector after 5 s, but the exporter's own retries and request timeouts (up to 10 s) are
 * timers it cannot cancel: an unreachable collector would hold the process well past the drain.
 */
const LEFTOVER_GRACE_MS = 500;

/** The process entry point: the one place that reads process.argv and sets the exit code. */
export async function run(): Promise<void> {
  process.exitCode = await main(process.argv);
  // Unref'd: a process with nothing left exits at once, as before; only leftovers meet this.
  setTimeout(() => process.exit(), LEFTOVER_GRACE_MS).unref();
}
