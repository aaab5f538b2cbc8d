// The global guard-policy override of the serve command (gateway.md §1.2): a policy from
// --guard-policy-json, or one built from the allow-only flags, or the same from environment
// variables, applied to every server.

import { normaliseGuardPolicy, type ConfigIssue, type GuardPolicyConfig } from "../config/index.ts";
import { envBoolean } from "./env-values.ts";

export interface PolicyInputs {
  json?: string;
  scopePublic?: boolean;
  scopeOwner?: string;
  scopeRepo?: string;
  minIntegrity?: string;
}

const INTEGRITY_LEVELS = ["none", "unapproved", "approved", "merged"] as const;

function fail(message: string): never {
  throw new Error(`invalid guard policy configuration: ${message}`);
}

function fromJson(json: string): GuardPolicyConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    fail(`the policy is not valid JSON: ${(error as Error).message}`);
  }
  const issues: ConfigIssue[] = [];
  const policy = normaliseGuardPolicy(parsed, "policy", issues);
  if (!policy) fail(issues.map((issue) => `${issue.problem} (expected ${issue.expected})`).join("; "));
  return policy;
}

function fromAllowOnly(inputs: PolicyInputs): GuardPolicyConfig {
  const owner = inputs.scopeOwner?.trim() || undefined;
  const repo = inputs.scopeRepo?.trim() || undefined;
  if (Boolean(inputs.scopePublic) === Boolean(owner)) fail("set exactly one of the public scope or the owner scope");
  if (repo && !owner) fail("a repository scope needs an owner scope");
  const level = inputs.minIntegrity?.replace(/-/g, "").trim().toLowerCase();
  if (!level) fail("the minimum integrity is required (none, unapproved, approved or merged)");
  if (!(INTEGRITY_LEVELS as readonly string[]).includes(level))
    fail(`unknown minimum integrity "${inputs.minIntegrity}" (expected none, unapproved, approved or merged)`);
  const repos = inputs.scopePublic ? "public" : [repo ? `${owner}/${repo}` : `${owner}/*`];
  return { "allow-only": { repos, "min-integrity": level } };
}

function resolve(inputs: PolicyInputs): GuardPolicyConfig {
  return inputs.json ? fromJson(inputs.json) : fromAllowOnly(inputs);
}

/**
 * Any policy flag on the command line wins; then a non-empty MCP_GATEWAY_GUARD_POLICY_JSON; then
 * the MCP_GATEWAY_ALLOWONLY_* variables if any is set; otherwise there is no override.
 */
export function resolveGuardPolicyOverride(flags: PolicyInputs, env: Readonly<Record<string, string | undefined>>): GuardPolicyConfig | undefined {
  if (Object.values(flags).some((value) => value !== undefined)) return resolve(flags);
  if (env.MCP_GATEWAY_GUARD_POLICY_JSON) return fromJson(env.MCP_GATEWAY_GUARD_POLICY_JSON);
  const names = ["PUBLIC", "OWNER", "REPO"].map((scope) => `MCP_GATEWAY_ALLOWONLY_SCOPE_${scope}`).concat("MCP_GATEWAY_ALLOWONLY_MIN_INTEGRITY");
  if (!names.some((name) => env[name] !== undefined)) return undefined;
  const scopePublic = envBoolean(env.MCP_GATEWAY_ALLOWONLY_SCOPE_PUBLIC);
  return fromAllowOnly({
    ...(scopePublic !== undefined ? { scopePublic } : {}),
    ...(env.MCP_GATEWAY_ALLOWONLY_SCOPE_OWNER !== undefined ? { scopeOwner: env.MCP_GATEWAY_ALLOWONLY_SCOPE_OWNER } : {}),
    ...(env.MCP_GATEWAY_ALLOWONLY_SCOPE_REPO !== undefined ? { scopeRepo: env.MCP_GATEWAY_ALLOWONLY_SCOPE_REPO } : {}),
    ...(env.MCP_GATEWAY_ALLOWONLY_MIN_INTEGRITY !== undefined ? { minIntegrity: env.MCP_GATEWAY_ALLOWONLY_MIN_INTEGRITY } : {}),
  });
}
