// `flowgate check`: everything start-up checks in a configuration, without starting anything. The
// configuration is read and validated exactly as the serve command reads it (flags and variables
// included), and every guard is loaded and compiled as at start-up, then closed. No backend is
// launched and nothing listens; the exit code says whether `flowgate` would start with it.
import type { Command } from "commander";
import type { GatewayLogger } from "../log/index.ts";
import { loadEnvFile } from "../config/index.ts";
import { CliExit, type CliIO } from "./io.ts";
import { loadConfig, readAll, type ServeInputs } from "./serve-command.ts";
import { applyOverrides, resolveFlagSettings, type ServeFlags } from "./serve-options.ts";
import { errorText } from "../shared/index.ts";

/** Keeps what guard registration warns of, the lines start-up would write to the log. */
function warningLogger(warnings: string[]): GatewayLogger {
  return {
    log: (level, _category, message) => void (level === "warn" || level === "error" ? warnings.push(message) : undefined),
    server: (serverId, level, _category, message) =>
      void (level === "warn" || level === "error" ? warnings.push(`server "${serverId}": ${message}`) : undefined),
    rpc: () => undefined,
    difcFiltered: () => undefined,
    tools: () => undefined,
    close: async () => undefined,
  };
}

function fail(io: CliIO, message: string): never {
  io.err(`${message}\n`);
  throw new CliExit(1, message);
}

async function check(flags: ServeFlags, io: CliIO, inputs: ServeInputs): Promise<void> {
  if (!flags.configStdin && flags.config === undefined) fail(io, "flowgate check: pass --config <file.toml> or --config-stdin (JSON on stdin)");
  let settings;
  try {
    if (flags.env !== undefined) loadEnvFile(flags.env, inputs.env);
    settings = resolveFlagSettings(flags, inputs.env);
  } catch (error) {
    fail(io, `flowgate check: ${errorText(error)}`);
  }
  let resolved;
  try {
    resolved = applyOverrides(await loadConfig(flags, inputs), settings, flags, inputs.env);
  } catch (error) {
    fail(io, `invalid configuration ${settings.configSource}: ${errorText(error)}`);
  }
  const { config, runtime } = resolved;
  const warnings = [...config.warnings];
  // Imported here: the guard host is only needed once the configuration is known to be valid.
  const { createServerGuards } = await import("../enforce/index.ts");
  let guards;
  try {
    guards = await createServerGuards(config, runtime, { logger: warningLogger(warnings), env: inputs.env });
  } catch (error) {
    fail(io, `invalid configuration ${settings.configSource}: ${errorText(error)}`);
  }
  await Promise.allSettled([...guards.values()].map(({ guard }) => guard.close()));
  for (const { serverId, fallback } of guards.values()) if (fallback) warnings.push(`server "${serverId}": ${fallback}`);
  for (const warning of warnings) io.err(`Warning: ${warning}\n`);
  const servers = config.servers.map((server) => `  ${server.id}: guard ${guards.get(server.id)?.guard.name ?? "noop"}`);
  io.out(`${settings.configSource}: valid, ${config.servers.length} server(s)${servers.length > 0 ? `\n${servers.join("\n")}` : ""}\n`);
}

export function registerCheckCommand(
  program: Command,
  io: CliIO,
  inputs: ServeInputs = { readStdin: () => readAll(io.stdin ?? process.stdin), env: process.env },
): void {
  program
    .command("check")
    .description("validate a configuration and load its guards, without starting anything (exit 0 when valid, 1 with the errors)")
    .option("-c, --config <file>", "TOML configuration file")
    .option("--config-stdin", "read the JSON configuration from stdin (wins over --config)")
    .option("--env <file>", ".env file of KEY=VALUE lines loaded before the configuration")
    .action((flags: ServeFlags) => check(flags, io, inputs));
}
