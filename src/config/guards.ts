// The top-level `guards` map: named guard definitions that servers select with `guard`.

import type { GuardConfig } from "./types.ts";
import { childPath, type ConfigIssue } from "./issues.ts";
import { normaliseGuardPolicy } from "./guard-policy.ts";

/** A schema-valid guard entry. */
export interface GuardEntry {
  type: string;
  path?: string;
  config?: Record<string, unknown>;
  policy?: unknown;
}

export function buildGuards(raw: Readonly<Record<string, GuardEntry>> | undefined, path: string, issues: ConfigIssue[]): Record<string, GuardConfig> {
  const guards: Record<string, GuardConfig> = {};
  for (const [name, entry] of Object.entries(raw ?? {})) {
    const at = childPath(path, name);
    if (entry.type === "wasm" && entry.path === undefined) {
      issues.push({ path: childPath(at, "path"), problem: "a wasm guard needs the path of its module", expected: "the path of a .wasm file" });
    }
    const policy = entry.policy === undefined ? undefined : normaliseGuardPolicy(entry.policy, childPath(at, "policy"), issues);
    guards[name] = {
      type: entry.type,
      ...(entry.path !== undefined ? { path: entry.path } : {}),
      ...(entry.config !== undefined ? { config: { ...entry.config } } : {}),
      ...(policy ? { policy } : {}),
    };
  }
  return guards;
}
