// How the serve command reads typed values from environment variables and flags, following the
// reference's rules: booleans as 1/true/yes/on or 0/false/no/off, durations in Go syntax.

export { envBoolean } from "../shared/index.ts";

/** A positive whole number, or undefined. */
export function positiveInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\+?\d+\s*$/.test(value)) return undefined;
  const number = Number(value);
  return Number.isSafeInteger(number) && number > 0 ? number : undefined;
}

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g;

/** A Go duration string ("5s", "1h30m", "250ms", "0") in milliseconds, or undefined when malformed. */
export function parseGoDuration(text: string): number | undefined {
  if (text === "0") return 0;
  const match = DURATION.exec(text);
  if (!match) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * (UNIT_MS[unit as string] as number);
  return match[1] === "-" ? -total : total;
}

/** A positive Go duration in milliseconds, or undefined. */
export function positiveDuration(value: string | undefined): number | undefined {
  const ms = value === undefined ? undefined : parseGoDuration(value.trim());
  return ms !== undefined && ms > 0 ? ms : undefined;
}
