/** A JSON object: not null and not an array, which `typeof` alone would let through. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
