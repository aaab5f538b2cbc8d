import { isPlainObject } from "../json.ts";
import { PolicyError } from "./policy-error.ts";
import { isValidOwner, isValidRepoScope } from "./repo-scope.ts";

export type SinkVisibility = "public" | "private" | "internal";

/** A validated `write-sink` policy (difc.md §7.3). */
export interface WriteSinkPolicy {
  /** Entries trimmed; `["*"]` accepts any secrecy. */
  readonly accept: readonly string[];
  readonly sinkVisibility?: SinkVisibility;
}

const PREFIX = "write-sink";
const VISIBILITIES: readonly SinkVisibility[] = ["public", "private", "internal"];

export function parseWriteSink(raw: unknown): WriteSinkPolicy {
  if (!isPlainObject(raw)) throw new PolicyError(`${PREFIX} must be an object`);
  let accept: unknown;
  let visibility: unknown;
  for (const [key, value] of Object.entries(raw)) {
    const name = key.toLowerCase();
    if (name === "accept") accept = value;
    else if (name === "sink-visibility") visibility = value;
    else throw new PolicyError(`${PREFIX} contains unsupported field "${key}"`);
  }
  const policy: { accept: string[]; sinkVisibility?: SinkVisibility } = { accept: parseAccept(accept) };
  const sinkVisibility = parseSinkVisibility(visibility);
  if (sinkVisibility !== undefined) policy.sinkVisibility = sinkVisibility;
  return policy;
}

/** `""` and absent mean "not configured". */
export function parseSinkVisibility(value: unknown): SinkVisibility | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === "string" ? value.trim().toLowerCase() : String(value);
  if (text === "") return undefined;
  const found = VISIBILITIES.find((known) => known === text);
  if (found === undefined) {
    throw new PolicyError(`${PREFIX}.sink-visibility must be one of: ${VISIBILITIES.join(", ")}; got "${text}"`);
  }
  return found;
}

function parseAccept(value: unknown): string[] {
  if (value !== undefined && value !== null && !Array.isArray(value)) {
    throw new PolicyError(`${PREFIX}.accept must be an array of strings`);
  }
  const entries = (value ?? []) as unknown[];
  if (entries.length === 0) throw new PolicyError(`${PREFIX}.accept must contain at least one entry`);
  const accept: string[] = [];
  for (const [index, entry] of entries.entries()) {
    const text = typeof entry === "string" ? entry.trim() : "";
    if (text === "") throw new PolicyError(`${PREFIX}.accept[${index}] must be a non-empty string`);
    if (text === "*") {
      if (entries.length > 1) throw new PolicyError(`${PREFIX}.accept wildcard "*" must be the only entry`);
    } else {
      validateAcceptEntry(text);
    }
    if (accept.includes(text)) throw new PolicyError(`${PREFIX}.accept must not contain duplicates`);
    accept.push(text);
  }
  return accept;
}

function validateAcceptEntry(entry: string): void {
  const colon = entry.indexOf(":");
  let scope = entry;
  if (colon > 0) {
    const visibility = entry.slice(0, colon);
    if (!VISIBILITIES.some((known) => known === visibility)) {
      throw new PolicyError(`${PREFIX}.accept entry "${entry}" is invalid: visibility prefix must be private, public, or internal; got "${visibility}"`);
    }
    scope = entry.slice(colon + 1);
  }
  if (!isValidRepoScope(scope) && !isValidOwner(scope)) {
    throw new PolicyError(`${PREFIX}.accept entry "${entry}" is invalid: scope "${scope}" is invalid; expected owner, owner/*, owner/repo, or owner/re*`);
  }
}
