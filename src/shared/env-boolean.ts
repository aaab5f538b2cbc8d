// The reference's boolean environment values: 1/true/yes/on or 0/false/no/off, case-insensitive.
// Shared because both the CLI and the enforcement layer read them.

const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["0", "false", "no", "off"]);

/** A boolean variable; anything unrecognised counts as unset. */
export function envBoolean(value: string | undefined): boolean | undefined {
  const word = value?.trim().toLowerCase();
  if (word === undefined) return undefined;
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}
