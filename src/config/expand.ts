// `${NAME}` expansion (gateway.md §2.5). JSON configs are expanded as text before parsing, so an
// unquoted placeholder (`"port": ${PORT}`) becomes a number. Unlike the reference, a value placed
// inside a JSON string is JSON-escaped, so a secret holding `"` or `\` cannot break the document
// or inject fields into it.

import { childPath, throwIfAny, type ConfigIssue } from "./issues.ts";

export type Environment = Readonly<Record<string, string | undefined>>;

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** The same syntax, matched only at `lastIndex` (for the scanner, which must not disturb PLACEHOLDER). */
const PLACEHOLDER_HERE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/y;

function undefinedVariableIssue(name: string, path: string): ConfigIssue {
  return {
    path,
    problem: `undefined environment variable referenced: ${name}`,
    expected: `set the environment variable ${name} before starting the gateway (an empty value counts as set)`,
  };
}

/** Expands every placeholder in raw JSON text; throws a ConfigError naming each undefined variable and where it is used. */
export function expandJsonText(text: string, env: Environment): string {
  let out = "";
  let inString = false;
  let escaped = false;
  const missing = new Set<string>();
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "$" && text[i + 1] === "{") {
      PLACEHOLDER_HERE.lastIndex = i;
      const match = PLACEHOLDER_HERE.exec(text);
      if (match) {
        const name = match[1] as string;
        const value = env[name];
        if (value === undefined) missing.add(name);
        else out += inString ? JSON.stringify(value).slice(1, -1) : value;
        i += match[0].length - 1;
        escaped = false;
        continue;
      }
    }
    out += ch;
    if (escaped) escaped = false;
    else if (inString && ch === "\\") escaped = true;
    else if (ch === '"') inString = !inString;
  }
  if (missing.size > 0) throwIfAny(locateUndefined(text, missing));
  return out;
}

/** Finds the JSON paths that reference each undefined variable; falls back to `configuration` when the raw text does not parse. */
function locateUndefined(text: string, missing: ReadonlySet<string>): ConfigIssue[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return [...missing].map((name) => undefinedVariableIssue(name, "configuration"));
  }
  const issues: ConfigIssue[] = [];
  const visit = (value: unknown, path: string): void => {
    if (typeof value === "string") {
      for (const match of value.matchAll(PLACEHOLDER)) {
        const name = match[1] as string;
        if (missing.has(name)) issues.push(undefinedVariableIssue(name, path || "configuration"));
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, childPath(path, index)));
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        visit(key, path);
        visit(item, childPath(path, key));
      }
    }
  };
  visit(document, "");
  // A placeholder split by JSON escapes is only visible in the raw text.
  const located = new Set(issues.map((issue) => issue.problem));
  for (const name of missing) {
    const issue = undefinedVariableIssue(name, "configuration");
    if (!located.has(issue.problem)) issues.push(issue);
  }
  return issues;
}

/** Expands the placeholders of one string value (TOML's tracing fields); undefined variables become issues. */
export function expandValue(value: string, env: Environment, path: string, issues: ConfigIssue[]): string {
  return value.replace(PLACEHOLDER, (placeholder, name: string) => {
    const replacement = env[name];
    if (replacement !== undefined) return replacement;
    issues.push(undefinedVariableIssue(name, path));
    return placeholder;
  });
}
