// The *shape* of a guard policy: exactly one of `allow-only` or `write-sink`, holding an object.
// The contents of each form are validated by src/difc; here they are kept as parsed JSON.

import type { GuardPolicyConfig } from "./types.ts";
import { childPath, type ConfigIssue } from "./issues.ts";
import { isObject } from "../shared/index.ts";

const ALIASES: Readonly<Record<string, "allow-only" | "write-sink">> = {
  "allow-only": "allow-only",
  allowonly: "allow-only",
  "write-sink": "write-sink",
  writesink: "write-sink",
};

const EXPECTED = 'an object with exactly one key, "allow-only" or "write-sink" (aliases allowonly, writesink), whose value is an object';

/**
 * Normalises one policy; problems are appended to `issues`. The reference's legacy per-server
 * form `{repos, min-integrity}` is read as an allow-only policy.
 */
export function normaliseGuardPolicy(raw: unknown, path: string, issues: ConfigIssue[]): GuardPolicyConfig | undefined {
  if (!isObject(raw)) {
    issues.push({ path, problem: "a guard policy must be an object", expected: EXPECTED });
    return undefined;
  }
  const keys = Object.keys(raw);
  if (keys.length > 0 && !keys.some((key) => key in ALIASES) && "repos" in raw) {
    return { "allow-only": { ...raw } };
  }
  const unknown = keys.filter((key) => !(key in ALIASES));
  if (unknown.length > 0) {
    issues.push({ path: childPath(path, unknown[0] as string), problem: `policy contains unsupported field "${unknown[0]}"`, expected: EXPECTED });
    return undefined;
  }
  const forms = new Set(keys.map((key) => ALIASES[key]));
  if (forms.size !== 1 || keys.length !== 1) {
    const problem =
      keys.length === 0
        ? "policy must include allow-only or write-sink"
        : "policy must include allow-only or write-sink, not both (or one of them twice through an alias)";
    issues.push({ path, problem, expected: EXPECTED });
    return undefined;
  }
  const key = keys[0] as string;
  const body = raw[key];
  if (!isObject(body)) {
    issues.push({ path: childPath(path, key), problem: `the ${key} policy must be an object`, expected: EXPECTED });
    return undefined;
  }
  return ALIASES[key] === "allow-only" ? { "allow-only": { ...body } } : { "write-sink": { ...body } };
}
