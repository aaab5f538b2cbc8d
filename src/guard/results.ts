// Turns a guard's output bytes into typed results, with the reference's parse rules and texts
// (guard-abi.md §2.4 and §3.3–3.5). Anything malformed is an error: the caller fails closed.
import type { AgentLabels, DifcMode, Operation, ResourceLabels } from "./types.ts";
import { isObject } from "../shared/index.ts";

const decoder = new TextDecoder("utf-8", { fatal: false });

function parseObject(output: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(output));
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(value)) throw new Error(`${what}: expected a JSON object, got ${Array.isArray(value) ? "an array" : typeof value}`);
  return value;
}

/** Keeps the string elements of an array; anything that is not an array is an empty label. */
function tags(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === "string") : [];
}

function strictTags(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((t) => typeof t !== "string")) {
    throw new Error(`failed to decode label_agent response: ${field} must be an array of strings`);
  }
  return value as string[];
}

const MODES: readonly DifcMode[] = ["strict", "filter", "propagate"];

export function parseAgentLabels(output: Uint8Array): AgentLabels {
  if (output.length === 0) throw new Error("label_agent returned empty response");
  const response = parseObject(output, "failed to unmarshal label_agent response");
  const error = typeof response.error === "string" && response.error.trim() !== "" ? response.error : undefined;
  for (const flag of ["success", "ok"]) {
    if (response[flag] === false) {
      throw new Error(error ? `label_agent rejected policy: ${error}` : "label_agent returned non-success status");
    }
  }
  if (error) throw new Error(`label_agent returned error: ${error}`);
  const agent = response.agent ?? {};
  if (!isObject(agent)) throw new Error("failed to decode label_agent response: agent must be an object");
  const mode = response.difc_mode ?? "";
  if (typeof mode !== "string") throw new Error("failed to decode label_agent response: difc_mode must be a string");
  if (mode.trim() === "") throw new Error("label_agent response missing difc_mode");
  const difcMode = MODES.find((m) => m === mode.toLowerCase());
  if (!difcMode) {
    throw new Error(`invalid difc_mode from label_agent: unknown enforcement mode: ${mode} (expected strict, filter or propagate)`);
  }
  const normalized = response.normalized_policy;
  if (normalized !== undefined && normalized !== null && !isObject(normalized)) {
    throw new Error("failed to decode label_agent response: normalized_policy must be an object");
  }
  return {
    secrecy: strictTags(agent.secrecy, "agent.secrecy"),
    integrity: strictTags(agent.integrity, "agent.integrity"),
    difcMode,
    ...(isObject(normalized) ? { normalizedPolicy: normalized } : {}),
  };
}

const OPERATIONS: readonly Operation[] = ["read", "write", "read-write"];

export function parseResourceLabels(output: Uint8Array): ResourceLabels {
  const response = parseObject(output, "failed to unmarshal label_resource WASM response");
  const resource = response.resource;
  if (!isObject(resource)) throw new Error("invalid resource format in guard response: resource must be an object");
  // Anything but the three exact operation names counts as the most restrictive one.
  const operation = OPERATIONS.find((op) => op === response.operation) ?? "write";
  return {
    description: typeof resource.description === "string" ? resource.description : "",
    secrecy: tags(resource.secrecy),
    integrity: tags(resource.integrity),
    operation,
  };
}

export function parseResponseLabels(output: Uint8Array): Record<string, unknown> | null {
  if (output.length === 0) return null;
  return parseObject(output, "failed to unmarshal label_response WASM response");
}
