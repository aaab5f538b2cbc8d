import { ALLOW_ONLY_FIELDS } from "./allow-only.ts";
import { INTEGRITY_LEVELS } from "./integrity-level.ts";
import { isPlainObject } from "../json.ts";
import { PolicyError } from "./policy-error.ts";
import { isValidRepoScope } from "./repo-scope.ts";

const SHAPE_ERROR = 'invalid guard policy transport shape: expected {"allow-only":{"repos":...,"min-integrity":...}}';
const OUTDATED_ERROR = "gateway policy adapter is outdated: remove legacy envelope key policy before calling label_agent";

/** Enforced by the gateway itself, so it is not the guard's business. */
const GATEWAY_ONLY_KEYS: ReadonlySet<string> = new Set(["tool-call-limits"]);

/** Keys the guard understands inside allow-only: every policy key but the gateway's own. */
const GUARD_ALLOW_ONLY_KEYS: ReadonlySet<string> = new Set(ALLOW_ONLY_FIELDS.filter((key) => !GATEWAY_ONLY_KEYS.has(key)));

/** The optional fields in the order the reference checks them (`trusted-bots` is top-level). */
const FIELD_CHECKS: ReadonlyArray<[string, "array" | "refusal" | "bots" | "level" | "string"]> = [
  ["blocked-users", "array"],
  ["refusal-labels", "refusal"],
  ["approval-labels", "array"],
  ["trusted-bots", "bots"],
  ["trusted-users", "array"],
  ["endorsement-reactions", "array"],
  ["disapproval-reactions", "array"],
  ["disapproval-integrity", "level"],
  ["endorser-min-integrity", "level"],
  ["promotion-label", "string"],
  ["demotion-label", "string"],
];

export interface LabelAgentExtras {
  /** Gateway `trusted_bots`: sent as top-level `trusted-bots` when non-empty. */
  readonly trustedBots?: readonly string[];
  /** Sent as `allow-only.trusted-users` when non-empty. */
  readonly trustedUsers?: readonly string[];
}

/**
 * The label_agent input for a WASM guard (guard-abi.md §3.2): the raw policy (an object or a JSON
 * string) plus the gateway's trusted bots and users, validated in the reference's order and with
 * its error texts. Differences from the reference: `tool-call-limits` is removed (the gateway
 * enforces it), `promotion-label`/`demotion-label` pass (the guard reads them), legacy `allowonly`
 * is sent as `allow-only` and `repos: "ALL"` as `"all"` (the guard reads only those spellings).
 */
export function labelAgentPayload(policy: unknown, extras: LabelAgentExtras = {}): Record<string, unknown> {
  const payload = withExtras(normalizePolicyPayload(policy), extras);
  if (!isPlainObject(payload)) throw new PolicyError("failed to decode label_agent policy payload: expected a JSON object");
  if (Object.hasOwn(payload, "policy")) throw new PolicyError(OUTDATED_ERROR);
  const allowOnly = payload["allow-only"] ?? payload["allowonly"];
  if (allowOnly === undefined) {
    throw new PolicyError("label_agent policy must use top-level allow-only object (received policy.allow-only)");
  }
  for (const key of Object.keys(payload)) {
    if (!["allow-only", "allowonly", "trusted-bots"].includes(key)) {
      throw new PolicyError(`invalid guard policy transport shape: unexpected key "${key}"`);
    }
  }
  if (!isPlainObject(allowOnly)) throw new PolicyError(SHAPE_ERROR);
  const out: Record<string, unknown> = { "allow-only": validateAllowOnly(allowOnly, payload["trusted-bots"]) };
  if (payload["trusted-bots"] !== undefined) out["trusted-bots"] = payload["trusted-bots"];
  return out;
}

function normalizePolicyPayload(policy: unknown): unknown {
  if (policy === undefined || policy === null) throw new PolicyError("policy is required");
  if (typeof policy !== "string") return policy;
  const text = policy.trim();
  if (text === "") throw new PolicyError("policy string is empty");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(`policy string is not valid JSON object: ${(error as Error).message}`, { cause: error });
  }
  if (!isPlainObject(parsed)) throw new PolicyError("policy JSON must decode to an object");
  return parsed;
}

function withExtras(policy: unknown, extras: LabelAgentExtras): unknown {
  const bots = extras.trustedBots ?? [];
  const users = extras.trustedUsers ?? [];
  if (!isPlainObject(policy) || (bots.length === 0 && users.length === 0)) return policy;
  const copy: Record<string, unknown> = structuredClone(policy);
  if (isPlainObject(copy["policy"])) throw new PolicyError(OUTDATED_ERROR);
  if (bots.length > 0) copy["trusted-bots"] = [...bots];
  const allowOnly = copy["allow-only"];
  if (users.length > 0 && isPlainObject(allowOnly)) allowOnly["trusted-users"] = [...users];
  return copy;
}

function validateAllowOnly(allowOnly: Record<string, unknown>, trustedBots: unknown): Record<string, unknown> {
  const integrityField = allowOnly["min-integrity"] !== undefined ? "min-integrity" : "integrity";
  if (allowOnly["repos"] === undefined || allowOnly[integrityField] === undefined) {
    throw new PolicyError("invalid guard policy transport shape: missing required fields repos and/or min-integrity in allow-only object");
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(allowOnly)) {
    if (GATEWAY_ONLY_KEYS.has(key)) continue;
    if (!GUARD_ALLOW_ONLY_KEYS.has(key)) throw new PolicyError(`invalid guard policy transport shape: unexpected allow-only key "${key}"`);
    out[key] = value;
  }
  out["repos"] = validateRepos(allowOnly["repos"]);
  validateLevel(allowOnly[integrityField], integrityField);
  for (const [field, check] of FIELD_CHECKS) {
    const value = field === "trusted-bots" ? trustedBots : out[field];
    if (value === undefined) continue;
    if (check === "array") stringArray(value, field, false);
    else if (check === "bots") stringArray(value, field, true);
    else if (check === "refusal") out[field] = refusalLabels(value);
    else if (check === "level") validateLevel(value, field);
    else if (typeof value !== "string" || value.trim() === "") {
      throw new PolicyError(`invalid ${field} value: expected a non-empty string`);
    }
  }
  return out;
}

function validateRepos(repos: unknown): unknown {
  const error = new PolicyError("invalid repos value: expected all, public, or non-empty array of scoped strings");
  if (typeof repos === "string") {
    const kind = repos.trim().toLowerCase();
    if (kind !== "all" && kind !== "public") throw error;
    return kind;
  }
  if (!Array.isArray(repos) || repos.length === 0) throw error;
  const seen = new Set<unknown>();
  for (const scope of repos) {
    if (typeof scope !== "string" || !isValidRepoScope(scope) || seen.has(scope)) throw error;
    seen.add(scope);
  }
  return repos;
}

function validateLevel(value: unknown, field: string): void {
  const level = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (!INTEGRITY_LEVELS.some((known) => known === level)) {
    throw new PolicyError(`${field} must be one of: ${INTEGRITY_LEVELS.join(", ")}`);
  }
}

function stringArray(value: unknown, field: string, nonEmpty: boolean): string[] {
  if (!Array.isArray(value)) {
    throw new PolicyError(`invalid ${field} value: ${nonEmpty ? "expected non-empty array of strings" : "expected array of strings"}`);
  }
  if (nonEmpty && value.length === 0) throw new PolicyError(`invalid ${field} value: must be a non-empty array when present`);
  for (const entry of value) {
    if (typeof entry !== "string" || entry.trim() === "") {
      throw new PolicyError(`invalid ${field} value: each entry must be a non-empty string`);
    }
  }
  return value as string[];
}

function refusalLabels(value: unknown): string[] {
  if (Array.isArray(value)) return stringArray(value, "refusal-labels", false).map((label) => label.trim());
  if (typeof value !== "string") {
    throw new PolicyError("invalid refusal-labels value: expected array of strings or comma/newline-delimited string");
  }
  const labels = value
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if (labels.length === 0) throw new PolicyError("invalid refusal-labels value: must include at least one non-empty label");
  return labels;
}
