import { parseAllowOnly } from "./allow-only.ts";
import { parseGuardPolicy, type GuardPolicy } from "./guard-policy.ts";
import { isPlainObject } from "../json.ts";
import { PolicyError } from "./policy-error.ts";

/** `--guard-policy-json` / MCP_GATEWAY_GUARD_POLICY_JSON: a policy object as JSON text. */
export function parseGuardPolicyJson(text: string): GuardPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(`guard policy JSON is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isPlainObject(raw)) throw new PolicyError("guard policy JSON must be an object");
  return parseGuardPolicy(raw);
}

export interface AllowOnlyScopeFlags {
  readonly public?: boolean;
  readonly owner?: string;
  readonly repo?: string;
  readonly minIntegrity?: string;
}

/**
 * The allow-only override built from `--allowonly-scope-public|owner|repo` and
 * `--allowonly-min-integrity` (or their MCP_GATEWAY_ALLOWONLY_* variables). Null when none is set.
 */
export function allowOnlyFromScopeFlags(flags: AllowOnlyScopeFlags): GuardPolicy | null {
  const owner = flags.owner?.trim() ?? "";
  const repo = flags.repo?.trim() ?? "";
  const minIntegrity = flags.minIntegrity?.trim() ?? "";
  if (!flags.public && owner === "" && repo === "" && minIntegrity === "") return null;
  if (repo !== "" && owner === "") throw new PolicyError("allow-only scope repo requires allow-only scope owner");
  if (flags.public === true && owner !== "") {
    throw new PolicyError("allow-only scope public cannot be combined with allow-only scope owner; set exactly one");
  }
  if (!flags.public && owner === "") throw new PolicyError("allow-only scope requires exactly one of public or owner");
  if (minIntegrity === "") throw new PolicyError("allow-only min-integrity is required with an allow-only scope");
  const repos = flags.public ? "public" : [repo === "" ? `${owner}/*` : `${owner}/${repo}`];
  // Hyphens are ignored, so "un-approved" reads as "unapproved".
  const allowOnly = parseAllowOnly({ repos, "min-integrity": minIntegrity.replaceAll("-", "") });
  return { kind: "allow-only", allowOnly };
}
