// Namespace debug logging in the style of the npm `debug` package (gateway.md §6.8): `DEBUG`
// selects namespaces such as `server:unified` with a comma or space separated list of patterns,
// `*` matching anything, and `-pattern` exclusions that win over inclusions.
import { escapeControlCharacters } from "./line-format.ts";

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*");
  return new RegExp(`^${escaped}$`);
}

/** A predicate telling whether a namespace is enabled by a DEBUG value (undefined: none is). */
export function debugNamespaceMatcher(spec: string | undefined): (namespace: string) => boolean {
  const patterns = (spec ?? "").split(/[\s,]+/).filter((pattern) => pattern !== "");
  const excluded = patterns.filter((pattern) => pattern.startsWith("-")).map((pattern) => patternToRegExp(pattern.slice(1)));
  const included = patterns.filter((pattern) => !pattern.startsWith("-")).map(patternToRegExp);
  const decided = new Map<string, boolean>();
  return (namespace) => {
    let enabled = decided.get(namespace);
    if (enabled === undefined) {
      enabled = !excluded.some((re) => re.test(namespace)) && included.some((re) => re.test(namespace));
      decided.set(namespace, enabled);
    }
    return enabled;
  };
}

const UNITS: ReadonlyArray<[string, number]> = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
];

/** Elapsed time as the `debug` package shows it: `+0ms`, `+250ms`, `+3s`, `+2m`. */
export function formatElapsed(ms: number): string {
  for (const [unit, size] of UNITS) if (ms >= size) return `+${Math.round(ms / size)}${unit}`;
  return `+${Math.round(ms)}ms`;
}

// The six basic ANSI colours `debug` uses on terminals without 256-colour support.
const COLOURS = [6, 2, 3, 4, 5, 1];

function colourOf(namespace: string): number {
  let hash = 0;
  for (const char of namespace) hash = ((hash << 5) - hash + (char.codePointAt(0) ?? 0)) | 0;
  return COLOURS[Math.abs(hash) % COLOURS.length] ?? 6;
}

/** The stderr line of one debug message: `<namespace> <message> +<elapsed>\n`, coloured on request. */
export function formatDebugLine(namespace: string, text: string, elapsedMs: number, colours: boolean): string {
  const elapsed = formatElapsed(elapsedMs);
  const message = escapeControlCharacters(text);
  if (!colours) return `${namespace} ${message} ${elapsed}\n`;
  const code = colourOf(namespace);
  return `\u001b[3${code};1m${namespace} \u001b[0m${message} \u001b[3${code}m${elapsed}\u001b[0m\n`;
}
