import type { Command } from "commander";
import { CliExit, type CliIO } from "./io.ts";

/**
 * `awmg proxy` is the reference's GitHub API filtering proxy, a mode flowgate does not have yet.
 * It is registered so that a deployment switching binaries gets a plain refusal naming the mode,
 * instead of a usage error about an unexpected argument.
 */
export function registerProxyCommand(program: Command, io: CliIO): void {
  program
    .command("proxy")
    .description("the reference's GitHub API filtering proxy: not implemented in flowgate (exits 1)")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      io.err(
        "flowgate proxy: proxy mode (the GitHub API filtering proxy of gh-aw-mcpg) is not implemented in flowgate; " +
          "run the reference's `awmg proxy` for it, or flowgate without a subcommand for the MCP gateway\n",
      );
      throw new CliExit(1);
    });
}
