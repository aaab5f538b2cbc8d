import { parseIntegrityLevel, type IntegrityLevel } from "./integrity-level.ts";
import { isPlainObject } from "../json.ts";
import { PolicyError } from "./policy-error.ts";
import { isValidRepoScope } from "./repo-scope.ts";

/** A validated, normalised `allow-only` policy (difc.md §7.2). */
export interface AllowOnlyPolicy {
  /** `"all"`, `"public"`, or the scopes sorted. */
  readonly repos: "all" | "public" | readonly string[];
  readonly minIntegrity: IntegrityLevel;
  /** Tool name → maximum calls per session; 0 means unlimited. */
  readonly toolCallLimits: ReadonlyMap<string, number>;
  readonly blockedUsers?: readonly string[];
  readonly approvalLabels?: readonly string[];
  readonly trustedUsers?: readonly string[];
  readonly refusalLabels?: readonly string[];
  readonly endorsementReactions?: readonly string[];
  readonly disapprovalReactions?: readonly string[];
  readonly disapprovalIntegrity?: IntegrityLevel;
  readonly endorserMinIntegrity?: IntegrityLevel;
  readonly promotionLabel?: string;
  readonly demotionLabel?: string;
}

const PREFIX = "allow-only";
/** Every key an allow-only policy may hold. */
export const ALLOW_ONLY_FIELDS = [
  "repos",
  "min-integrity",
  "integrity",
  "tool-call-limits",
  "blocked-users",
  "approval-labels",
  "trusted-users",
  "refusal-labels",
  "endorsement-reactions",
  "disapproval-reactions",
  "disapproval-integrity",
  "endorser-min-integrity",
  "promotion-label",
  "demotion-label",
] as const;
type Field = (typeof ALLOW_ONLY_FIELDS)[number];

/** Validates a raw `allow-only` object; field names match case-insensitively, as in the reference. */
export function parseAllowOnly(raw: unknown): AllowOnlyPolicy {
  if (!isPlainObject(raw)) throw new PolicyError(`${PREFIX} must be an object`);
  const fields = new Map<Field, unknown>();
  for (const [key, value] of Object.entries(raw)) {
    const field = ALLOW_ONLY_FIELDS.find((name) => name === key.toLowerCase());
    if (field === undefined) throw new PolicyError(`${PREFIX} contains unsupported field "${key}"`);
    fields.set(field, value);
  }
  const policy: { -readonly [K in keyof AllowOnlyPolicy]: AllowOnlyPolicy[K] } = {
    repos: parseRepos(fields.get("repos")),
    minIntegrity: parseMinIntegrity(fields.get("min-integrity") ?? fields.get("integrity")),
    toolCallLimits: parseToolCallLimits(fields.get("tool-call-limits")),
  };
  const optional = <T>(field: Field, parse: (value: unknown, name: string) => T): T | undefined => {
    const value = fields.get(field);
    return value === undefined || value === null ? undefined : parse(value, `${PREFIX}.${field}`);
  };
  const assign = <K extends keyof AllowOnlyPolicy>(key: K, value: AllowOnlyPolicy[K] | undefined) => {
    if (value !== undefined) policy[key] = value;
  };
  assign(
    "blockedUsers",
    optional("blocked-users", (v, n) => dedupe(stringList(v, n), (s) => s.toLowerCase())),
  );
  assign(
    "approvalLabels",
    optional("approval-labels", (v, n) => dedupe(stringList(v, n), (s) => s.toLowerCase())),
  );
  assign(
    "trustedUsers",
    optional("trusted-users", (v, n) => dedupe(stringList(v, n), (s) => s.toLowerCase())),
  );
  assign("refusalLabels", optional("refusal-labels", parseRefusalLabels));
  assign("endorsementReactions", optional("endorsement-reactions", parseReactions));
  assign("disapprovalReactions", optional("disapproval-reactions", parseReactions));
  assign("disapprovalIntegrity", optional("disapproval-integrity", parseIntegrityLevel));
  assign("endorserMinIntegrity", optional("endorser-min-integrity", parseIntegrityLevel));
  assign("promotionLabel", optional("promotion-label", trimmedString));
  assign("demotionLabel", optional("demotion-label", trimmedString));
  return policy;
}

const REPOS_TYPE_ERROR = `${PREFIX}.repos must be 'all', 'public', or a non-empty array of repo scope strings`;

function parseRepos(value: unknown): AllowOnlyPolicy["repos"] {
  if (value === undefined || value === null) throw new PolicyError(`${PREFIX} must include repos`);
  if (typeof value === "string") {
    const kind = value.trim().toLowerCase();
    if (kind === "all" || kind === "public") return kind;
    throw new PolicyError(`${PREFIX}.repos string must be 'all' or 'public'`);
  }
  if (!Array.isArray(value)) throw new PolicyError(REPOS_TYPE_ERROR);
  if (value.length === 0) throw new PolicyError(`${PREFIX}.repos array must contain at least one scope`);
  const scopes: string[] = [];
  for (const entry of value) {
    if (typeof entry !== "string") throw new PolicyError(`${PREFIX}.repos array values must be strings`);
    const scope = entry.trim();
    if (!isValidRepoScope(scope)) {
      throw new PolicyError(`${PREFIX}.repos scope "${scope}" is invalid; expected owner/*, owner/repo, or owner/re*`);
    }
    if (scopes.includes(scope)) throw new PolicyError(`${PREFIX}.repos must not contain duplicates`);
    scopes.push(scope);
  }
  return scopes.sort();
}

function parseMinIntegrity(value: unknown): IntegrityLevel {
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
    throw new PolicyError(
      `Configuration error at ${PREFIX}.min-integrity: min-integrity is required\n` +
        "Suggestion: set min-integrity to one of: none, unapproved, approved, merged",
    );
  }
  return parseIntegrityLevel(value, `${PREFIX}.min-integrity`);
}

function parseToolCallLimits(value: unknown): ReadonlyMap<string, number> {
  const limits = new Map<string, number>();
  if (value === undefined || value === null) return limits;
  if (!isPlainObject(value)) throw new PolicyError(`${PREFIX}.tool-call-limits must be an object of tool name to number`);
  for (const [key, limit] of Object.entries(value)) {
    const tool = key.trim();
    if (tool === "") throw new PolicyError(`${PREFIX}.tool-call-limits keys must be non-empty tool names`);
    if (typeof limit !== "number" || !Number.isInteger(limit)) {
      throw new PolicyError(`${PREFIX}.tool-call-limits["${tool}"] must be a whole number`);
    }
    if (limit < 0) throw new PolicyError(`${PREFIX}.tool-call-limits["${tool}"] must be >= 0`);
    limits.set(tool, limit);
  }
  return limits;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new PolicyError(`${field} must be an array of strings`);
  return value.map((entry, index) => {
    const text = typeof entry === "string" ? entry.trim() : "";
    if (text === "") throw new PolicyError(`${field}[${index}] must be a non-empty string`);
    return text;
  });
}

function parseRefusalLabels(value: unknown, field: string): string[] {
  if (typeof value !== "string") return dedupe(stringList(value, field), (s) => s.toLowerCase());
  const labels = value
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if (labels.length === 0) throw new PolicyError(`${field} must include at least one label`);
  return dedupe(labels, (s) => s.toLowerCase());
}

function parseReactions(value: unknown, field: string): string[] {
  return dedupe(
    stringList(value, field).map((reaction) => reaction.toUpperCase()),
    (s) => s,
  );
}

function trimmedString(value: unknown, field: string): string {
  if (typeof value !== "string") throw new PolicyError(`${field} must be a string`);
  return value.trim();
}

/** Keeps the first spelling of each key. */
function dedupe(values: readonly string[], key: (value: string) => string): string[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const k = key(value);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
