/**
 * Rewrites each `-e NAME` pair in a stdio server's arguments (NAME without `=`) to
 * `-e NAME=<value>` when NAME is set in `env`, leaving it alone otherwise, as the reference does
 * at launch. `report` gets the reference's line for each pass-through: the value shortened to its
 * first four characters, so a secret does not end up on stderr.
 */
export function expandEnvPassthrough(args: readonly string[], env: Readonly<Record<string, string | undefined>>, report: (line: string) => void): string[] {
  const expanded = [...args];
  for (let index = 0; index < expanded.length - 1; index++) {
    const name = expanded[index + 1];
    if (expanded[index] !== "-e" || name === undefined || name.includes("=")) continue;
    const value = env[name];
    index++;
    if (value === undefined) {
      report(`✗ WARNING: Env passthrough for ${name} requested but NOT FOUND in MCPG process`);
      continue;
    }
    expanded[index] = `${name}=${value}`;
    report(`✓ Env passthrough: ${name}=${value.length > 4 ? value.slice(0, 4) : ""}... (from MCPG process)`);
  }
  return expanded;
}
