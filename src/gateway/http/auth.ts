import { createHmac, hash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { AgentIdentity } from "../sessions/index.ts";

export type AuthOutcome = { ok: true } | { ok: false; status: 400 | 401; error: string; message: string; detail: string };

/**
 * The reference's rule: Authorization must equal the agent id byte for byte (no "Bearer"
 * stripping). The comparison hashes both sides first so it takes the same time whatever the
 * length or content of the guess.
 */
export function checkAuthorization(header: string | undefined, agentId: string): AuthOutcome {
  if (header === undefined || header === "") {
    return { ok: false, status: 401, error: "unauthorized", message: "missing Authorization header", detail: "missing_auth_header" };
  }
  if (hasControlCharacters(header)) {
    return { ok: false, status: 400, error: "bad_request", message: "malformed Authorization header", detail: "malformed_auth_header" };
  }
  if (!sameSecret(header, agentId)) {
    return { ok: false, status: 401, error: "unauthorized", message: "invalid API key", detail: "invalid_api_key" };
  }
  return { ok: true };
}

/**
 * The identity of a new MCP session on an authenticated request; undefined when X-Agent-ID is
 * present but not a single safe path segment (the reference refuses those too).
 */
export function agentIdentity(headers: IncomingHttpHeaders): AgentIdentity | undefined {
  const credential = displayedAgentId(single(headers.authorization) ?? "");
  const subAgent = single(headers["x-agent-id"]);
  if (subAgent === undefined) return { credential, agent: credential };
  const name = subAgent.trim();
  if (name === "" || name === "." || name === ".." || /[/\\]/.test(name) || hasControlCharacters(name)) return undefined;
  return { credential, agent: `${credential}-${displayedAgentId(`${credential}/${name}`)}` };
}

// Generated once per process: digests stay stable while it runs, and cannot be matched against
// guessed credentials by anyone who sees them. Replicas sharing DIFC state replace it with the
// key they share (shareDigestKey), so that each names one credential alike.
let displayKey: Buffer = randomBytes(32);

/** Digests from now on are under `key`: the key the replicas sharing DIFC state hold in common. */
export function shareDigestKey(key: Buffer): void {
  displayKey = key;
}

/**
 * What stands for an agent id wherever one is shown or used as a name (/reflect, log lines,
 * directory names): an HMAC-SHA256 digest under a per-process key, 16 hex digits.
 */
export function displayedAgentId(value: string): string {
  return createHmac("sha256", displayKey).update(value).digest("hex").slice(0, 16);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function hasControlCharacters(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value);
}

/** The expected side is the same on every request: its digest is computed once. */
const expectedDigests = new Map<string, Buffer>();

function sameSecret(given: string, expected: string): boolean {
  let b = expectedDigests.get(expected);
  if (!b) {
    b = hash("sha256", expected, "buffer");
    expectedDigests.set(expected, b);
  }
  return timingSafeEqual(hash("sha256", given, "buffer"), b);
}
