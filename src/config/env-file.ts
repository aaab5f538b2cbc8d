// `--env FILE` (gateway.md §1.5): KEY=VALUE lines set into the environment before the config is
// loaded. Values may reference variables already set (`$NAME` or `${NAME}`; unset ones become
// empty). No quoting rules: a value is everything after the first `=`, trimmed.

import { readFileSync } from "node:fs";

const REFERENCE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

export function parseEnvFile(text: string, env: Readonly<Record<string, string | undefined>>): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  const seen: Record<string, string | undefined> = { ...env };
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    const equals = line.indexOf("=");
    if (line === "" || line.startsWith("#") || equals < 0) continue;
    const key = line.slice(0, equals).trim();
    const value = line
      .slice(equals + 1)
      .trim()
      .replace(REFERENCE, (_, braced?: string, bare?: string) => seen[(braced ?? bare) as string] ?? "");
    seen[key] = value;
    entries.push([key, value]);
  }
  return entries;
}

/** Reads the file and sets its variables into `env`; throws `failed to load .env file: …` when it cannot be read. */
export function loadEnvFile(path: string, env: Record<string, string | undefined>): void {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`failed to load .env file: ${(error as Error).message}`, { cause: error });
  }
  for (const [key, value] of parseEnvFile(text, env)) env[key] = value;
}
