import { hash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export type AuthOutcome =
  | { ok: true }
  | { ok: false; status: 400 | 401; error: string; message: string; detail: string };

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
 * The gateway session id an MCP session belongs to: X-Agent-ID when present, else Authorization
 * with a leading "Bearer " or "Agent " removed. It names a folder on disk, so it must be one safe
 * path segment; anything else yields undefined.
 */
export function gatewaySessionId(headers: IncomingHttpHeaders): string | undefined {
  const explicit = single(headers["x-agent-id"]);
  const raw = explicit ?? stripScheme(single(headers.authorization));
  if (raw === undefined) return undefined;
  const id = raw.trim();
  if (id === "" || id === "." || id === ".." || /[/\\]/.test(id) || hasControlCharacters(id)) return undefined;
  return id;
}

function stripScheme(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^(?:Bearer|Agent) (.*)$/.exec(value);
  return match ? match[1] : value;
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
