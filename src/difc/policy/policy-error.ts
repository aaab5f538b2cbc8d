/** A guard policy (or a value derived from one) is invalid; the message names the field and the rule. */
export class PolicyError extends Error {
  override readonly name = "PolicyError";
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function describeJson(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}
