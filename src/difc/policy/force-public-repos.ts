import { parseAllowOnly } from "./allow-only.ts";
import { parseServerGuardPolicy, type GuardPolicy } from "./guard-policy.ts";
import { PolicyError } from "./policy-error.ts";
import { allowOnlyToJson } from "./policy-json.ts";

/** What force-public-repos puts in place of a missing policy. */
const PUBLIC_NONE = { repos: "public", "min-integrity": "none" } as const;

/**
 * force-public-repos on the global override (difc.md §7.6): allow-only repos become "public"; no
 * policy becomes public/none; a write-sink-only override is left alone.
 */
export function forcePublicGlobalPolicy(policy: GuardPolicy | null): GuardPolicy {
  if (policy === null) return { kind: "allow-only", allowOnly: parseAllowOnly(PUBLIC_NONE) };
  if (policy.kind === "write-sink") return policy;
  return { kind: "allow-only", allowOnly: { ...policy.allowOnly, repos: "public" } };
}

/**
 * force-public-repos on a server's raw `guard-policies`: returns the map to use instead. Missing →
 * public/none; invalid or write-sink-only → unchanged; a map holding no policy gets an allow-only
 * key added; an allow-only policy is replaced by the same policy with repos "public".
 */
export function forcePublicServerPolicy(raw: Record<string, unknown> | undefined, serverId: string): Record<string, unknown> {
  if (raw === undefined) return { "allow-only": { ...PUBLIC_NONE } };
  let parsed: GuardPolicy | null;
  try {
    parsed = parseServerGuardPolicy(raw, serverId);
  } catch (error) {
    if (error instanceof PolicyError) return raw;
    throw error;
  }
  if (parsed === null) return { ...raw, "allow-only": { ...PUBLIC_NONE } };
  if (parsed.kind === "write-sink") return raw;
  return { "allow-only": allowOnlyToJson({ ...parsed.allowOnly, repos: "public" }) };
}
