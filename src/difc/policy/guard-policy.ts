import { parseAllowOnly, type AllowOnlyPolicy } from "./allow-only.ts";
import { isPlainObject } from "../json.ts";
import { PolicyError } from "./policy-error.ts";
import { parseWriteSink, type WriteSinkPolicy } from "./write-sink.ts";

export type GuardPolicy =
  { readonly kind: "allow-only"; readonly allowOnly: AllowOnlyPolicy } | { readonly kind: "write-sink"; readonly writeSink: WriteSinkPolicy };

const ALLOW_ONLY_KEYS = ["allow-only", "allowonly"];
const WRITE_SINK_KEYS = ["write-sink", "writesink"];

/** A policy object: exactly one of `allow-only` (alias `allowonly`) or `write-sink` (alias `writesink`). */
export function parseGuardPolicy(raw: unknown): GuardPolicy {
  if (!isPlainObject(raw)) throw new PolicyError("policy must be a JSON object");
  let allowOnly: unknown;
  let writeSink: unknown;
  for (const [key, value] of Object.entries(raw)) {
    const name = key.toLowerCase();
    if (ALLOW_ONLY_KEYS.includes(name)) allowOnly = value;
    else if (WRITE_SINK_KEYS.includes(name)) writeSink = value;
    else throw new PolicyError(`policy contains unsupported field "${key}"`);
  }
  if (allowOnly !== undefined && writeSink !== undefined) {
    throw new PolicyError("policy must include either allow-only or write-sink, not both");
  }
  if (allowOnly !== undefined) return { kind: "allow-only", allowOnly: parseAllowOnly(allowOnly) };
  if (writeSink !== undefined) return { kind: "write-sink", writeSink: parseWriteSink(writeSink) };
  throw new PolicyError("policy must include allow-only or write-sink");
}

/**
 * A server's `guard-policies` map, in the forms the reference accepts: a policy object; the legacy
 * flat `{repos, min-integrity}`; `{<serverId>: policy}`; or a single key holding a policy.
 * Returns null when the map holds none of these.
 */
export function parseServerGuardPolicy(raw: unknown, serverId: string): GuardPolicy | null {
  try {
    if (!isPlainObject(raw)) return null;
    const keys = Object.keys(raw).map((key) => key.toLowerCase());
    if (keys.some((key) => ALLOW_ONLY_KEYS.includes(key) || WRITE_SINK_KEYS.includes(key))) return parseGuardPolicy(raw);
    if (keys.includes("repos")) {
      if (!keys.includes("min-integrity") && !keys.includes("integrity")) {
        throw new PolicyError("repos specified without min-integrity");
      }
      return { kind: "allow-only", allowOnly: parseAllowOnly(raw) };
    }
    const nested = raw[serverId];
    if (isPlainObject(nested)) return parseServerGuardPolicy(nested, serverId);
    const values = Object.values(raw);
    if (values.length === 1 && isPlainObject(values[0])) return parseServerGuardPolicy(values[0], serverId);
    return null;
  } catch (error) {
    if (error instanceof PolicyError && !error.message.startsWith("invalid server guard policy: ")) {
      throw new PolicyError(`invalid server guard policy: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * Which policy governs a server: the global override, else the server's own, else its guard's.
 * Unlike the reference, a server's own write-sink policy survives a global allow-only override:
 * the override is meant for the servers agents read from, and dropping the sink's policy left output
 * servers with a guard that denied every call.
 */
export function resolveGuardPolicy(sources: { global?: GuardPolicy | null; server?: GuardPolicy | null; guard?: GuardPolicy | null }): GuardPolicy | null {
  const { global, server, guard } = sources;
  if (global && !(global.kind === "allow-only" && server?.kind === "write-sink")) return global;
  return server ?? guard ?? null;
}
