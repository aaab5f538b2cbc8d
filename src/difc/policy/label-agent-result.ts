import { trimmedTags, type EnforcementMode } from "../labels.ts";
import { parseEnforcementMode } from "./modes.ts";
import { describeJson, isPlainObject } from "../json.ts";
import { PolicyError } from "./policy-error.ts";

export interface LabelAgentResult {
  /** Tags to add to the agent (trimmed, empties dropped). */
  readonly secrecy: string[];
  readonly integrity: string[];
  /** The guard's mode for this (session, server); it overrides the server-wide mode. */
  readonly mode: EnforcementMode;
  /** For observability only, with `scope_kind` lower-cased. */
  readonly normalizedPolicy: Record<string, unknown> | null;
}

/** Checks a guard's label_agent output (parsed JSON; null when it returned nothing), in the reference's order. */
export function parseLabelAgentResult(output: unknown): LabelAgentResult {
  if (output === null || output === undefined) throw new PolicyError("label_agent returned empty response");
  if (!isPlainObject(output)) {
    throw new PolicyError(`failed to unmarshal label_agent response: expected a JSON object, got ${describeJson(output)}`);
  }
  const error = typeof output["error"] === "string" ? output["error"].trim() : "";
  for (const flag of ["success", "ok"]) {
    if (output[flag] === false) {
      throw new PolicyError(error === "" ? "label_agent returned non-success status" : `label_agent rejected policy: ${error}`);
    }
  }
  if (error !== "") throw new PolicyError(`label_agent returned error: ${error}`);

  const agent = output["agent"] ?? {};
  if (!isPlainObject(agent)) throw decodeError("agent must be an object");
  const secrecy = tagList(agent["secrecy"], "agent.secrecy");
  const integrity = tagList(agent["integrity"], "agent.integrity");
  const modeValue = output["difc_mode"] ?? "";
  if (typeof modeValue !== "string") throw decodeError("difc_mode must be a string");
  const policy = output["normalized_policy"] ?? null;
  if (policy !== null && !isPlainObject(policy)) throw decodeError("normalized_policy must be an object");
  if (modeValue.trim() === "") throw new PolicyError("label_agent response missing difc_mode");
  let mode: EnforcementMode;
  try {
    mode = parseEnforcementMode(modeValue);
  } catch (cause) {
    throw new PolicyError(`invalid difc_mode from label_agent: ${(cause as Error).message}`, { cause });
  }
  return { secrecy, integrity, mode, normalizedPolicy: policy === null ? null : lowerScopeKind(policy) };
}

function tagList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((tag) => typeof tag !== "string")) throw decodeError(`${field} must be an array of strings`);
  return trimmedTags(value as string[]);
}

function lowerScopeKind(policy: Record<string, unknown>): Record<string, unknown> {
  const kind = policy["scope_kind"];
  return typeof kind === "string" ? { ...policy, scope_kind: kind.toLowerCase() } : policy;
}

function decodeError(detail: string): PolicyError {
  return new PolicyError(`failed to decode label_agent response: ${detail}`);
}
