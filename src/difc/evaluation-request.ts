import { isPlainObject } from "./json.ts";
import { ENFORCEMENT_MODES, OPERATIONS, type AgentLabels, type EnforcementMode, type Operation, type ResourceLabels } from "./labels.ts";

/** One question for the evaluator, as a person debugging a policy writes it. */
export interface EvaluationRequest {
  readonly agent: AgentLabels;
  readonly resource: ResourceLabels;
  readonly operation: Operation;
  readonly mode: EnforcementMode;
}

/**
 * Reads `{"agent":{secrecy,integrity},"resource":{secrecy,integrity,description?},"operation","mode"?}`
 * (parsed JSON). Missing tag lists are empty, the mode defaults to strict, the description to
 * "resource". Throws an Error naming the offending field.
 */
export function parseEvaluationRequest(input: unknown): EvaluationRequest {
  if (!isPlainObject(input)) throw new Error("the request must be a JSON object with agent, resource, operation and mode");
  const agent = labels(input, "agent");
  const resourceLabels = labels(input, "resource");
  // labels() has checked that resource is an object.
  const description = (input["resource"] as Record<string, unknown>)["description"] ?? "resource";
  if (typeof description !== "string") throw new Error("resource.description must be a string");
  return {
    agent,
    resource: { ...resourceLabels, description },
    operation: oneOf(input, "operation", OPERATIONS, undefined),
    mode: oneOf(input, "mode", ENFORCEMENT_MODES, "strict"),
  };
}

function labels(input: Record<string, unknown>, field: "agent" | "resource"): AgentLabels {
  const value = input[field];
  if (!isPlainObject(value)) throw new Error(`${field} must be an object with secrecy and integrity arrays`);
  return { secrecy: new Set(tags(value, field, "secrecy")), integrity: new Set(tags(value, field, "integrity")) };
}

function tags(object: Record<string, unknown>, field: string, kind: string): string[] {
  const value = object[kind] ?? [];
  if (!Array.isArray(value) || value.some((tag) => typeof tag !== "string")) {
    throw new Error(`${field}.${kind} must be an array of strings`);
  }
  return value as string[];
}

function oneOf<T extends string>(input: Record<string, unknown>, field: string, allowed: readonly T[], fallback: T | undefined): T {
  const value = input[field] ?? fallback;
  const found = allowed.find((known) => known === value);
  if (found === undefined) throw new Error(`${field} must be one of: ${allowed.join(", ")}; got ${JSON.stringify(value ?? null)}`);
  return found;
}
