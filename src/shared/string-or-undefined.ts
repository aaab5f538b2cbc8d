/** `value` if it is a string; undefined for anything else (a repeated header, a missing field). */
export function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
