import { PolicyError } from "./policy-error.ts";

export type IntegrityLevel = "none" | "unapproved" | "approved" | "merged";

export const INTEGRITY_LEVELS: readonly IntegrityLevel[] = ["none", "unapproved", "approved", "merged"];

/** Trimmed, case-insensitive; throws naming `field` when the value is not one of the four levels. */
export function parseIntegrityLevel(value: unknown, field: string): IntegrityLevel {
  const level = typeof value === "string" ? value.trim().toLowerCase() : undefined;
  const found = INTEGRITY_LEVELS.find((known) => known === level);
  if (found === undefined) throw new PolicyError(`${field} must be one of: ${INTEGRITY_LEVELS.join(", ")}`);
  return found;
}
