import { ENFORCEMENT_MODES, type EnforcementMode } from "../labels.ts";
import { PolicyError } from "./policy-error.ts";

/** Case-insensitive; `""` is strict. Throws for anything else. */
export function parseEnforcementMode(value: string): EnforcementMode {
  const mode = value.toLowerCase();
  if (mode === "") return "strict";
  const found = ENFORCEMENT_MODES.find((known) => known === mode);
  if (found === undefined) {
    throw new PolicyError(`unknown enforcement mode: ${value} (valid modes: ${ENFORCEMENT_MODES.join(", ")})`);
  }
  return found;
}

/** The default from MCP_GATEWAY_GUARDS_MODE: its mode when valid, otherwise strict. */
export function defaultEnforcementMode(envValue: string | undefined): EnforcementMode {
  try {
    return parseEnforcementMode(envValue ?? "");
  } catch {
    return "strict";
  }
}

/** `--guards-sink-server-ids`: comma-separated, trimmed, empties skipped, deduplicated in first-seen order. */
export function parseSinkServerIds(value: string): string[] {
  const ids: string[] = [];
  for (const part of value.split(",")) {
    const id = part.trim();
    if (id === "") continue;
    if (/\s/.test(id)) throw new PolicyError(`invalid guards sink server ID "${id}": whitespace is not allowed`);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}
