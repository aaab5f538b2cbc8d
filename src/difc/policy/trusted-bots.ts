import { PolicyError } from "./policy-error.ts";

/**
 * Gateway `trustedBots` (JSON) / `trusted_bots` (TOML): absent, or a non-empty list of non-blank
 * names, added to the guard's built-in bots. Returns the names trimmed.
 */
export function parseTrustedBots(value: unknown, field = "trusted_bots"): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length === 0) {
    throw new PolicyError(`${field} must be a non-empty array when present (spec §4.1.3.4)`);
  }
  return value.map((entry, index) => {
    const name = typeof entry === "string" ? entry.trim() : "";
    if (name === "") throw new PolicyError(`${field}[${index}] must be a non-empty string`);
    return name;
  });
}

/** `--trusted-bots a,b`: comma-separated, trimmed, empties skipped. */
export function parseTrustedBotsFlag(value: string): string[] {
  return value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
}
