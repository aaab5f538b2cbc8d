// The one call_backend tool the host answers itself (guard-abi.md §4.1): a guard that asks
// `get_collaborator_permission` learns a user's permission on a repository from the GitHub REST
// API, since no MCP backend has such a tool. The answer is wrapped as an MCP text result, as the
// guard reads every call_backend answer.
import type { BackendCaller } from "../guard/index.ts";
import { readBoundedBody } from "../shared/index.ts";
import { githubApiUrl, githubToken } from "./github-visibility.ts";

export const COLLABORATOR_PERMISSION_TOOL = "get_collaborator_permission";

const REQUEST_TIMEOUT_MS = 10_000;
/** A permission answer is a few kilobytes; anything far larger is not one. */
const MAX_ANSWER_BYTES = 1024 * 1024;

type Env = Readonly<Record<string, string | undefined>>;

export interface CollaboratorPermissionOptions {
  /** Where the token (GITHUB_MCP_SERVER_TOKEN, GITHUB_TOKEN, …) and the API URL are read, as gateway.md §1.4 says. */
  env: Env;
  fetch?: typeof fetch;
}

/** Answers get_collaborator_permission `{owner, repo, username}`; rejects (the guard gets −1) on any failure. */
export function collaboratorPermissionLookup(options: CollaboratorPermissionOptions): (args: unknown, signal: AbortSignal) => Promise<unknown> {
  const fetchImpl = options.fetch ?? fetch;
  return async (args, signal) => {
    const { owner, repo, username } = permissionArgs(args);
    const token = githubToken(options.env);
    if (token === undefined) {
      throw new Error(`${COLLABORATOR_PERMISSION_TOOL}: no GitHub token; set GITHUB_MCP_SERVER_TOKEN, GITHUB_TOKEN, GITHUB_PERSONAL_ACCESS_TOKEN or GH_TOKEN`);
    }
    const path = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/collaborators/${encodeURIComponent(username)}/permission`;
    const response = await fetchImpl(`${githubApiUrl(options.env)}${path}`, {
      headers: { Authorization: `token ${token}`, Accept: "application/vnd.github+json", "User-Agent": "awmg/1.0" },
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
    if (response.status >= 400) {
      await response.body?.cancel();
      throw new Error(`${COLLABORATOR_PERMISSION_TOOL}: GET ${path} returned status ${response.status}`);
    }
    return { content: [{ type: "text", text: await boundedText(response, path) }] };
  };
}

/** The guard's own call_backend, with get_collaborator_permission served by `lookup` instead of the backend. */
export function withCollaboratorPermission(backend: BackendCaller, lookup: (args: unknown, signal: AbortSignal) => Promise<unknown>): BackendCaller {
  return (toolName, args, signal) => (toolName === COLLABORATOR_PERMISSION_TOOL ? lookup(args, signal) : backend(toolName, args, signal));
}

function permissionArgs(args: unknown): { owner: string; repo: string; username: string } {
  const fields = typeof args === "object" && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
  const { owner, repo, username } = fields;
  if (typeof owner !== "string" || typeof repo !== "string" || typeof username !== "string" || !owner || !repo || !username) {
    throw new Error(`${COLLABORATOR_PERMISSION_TOOL}: arguments must be {"owner", "repo", "username"}, each a non-empty string`);
  }
  return { owner, repo, username };
}

async function boundedText(response: Response, path: string): Promise<string> {
  const body = await readBoundedBody(response, MAX_ANSWER_BYTES);
  if (body === undefined) throw new Error(`${COLLABORATOR_PERMISSION_TOOL}: GET ${path} answered more than ${MAX_ANSWER_BYTES} bytes`);
  return body.toString("utf8");
}
