// Is the workflow's repository public? Asked of the GitHub API at most once per process
// (gateway.md §1.4, §3.17): force-public-repos and the sink-visibility checks both depend on it,
// and a public repository must not have private data read into it or written out of it.
import { urlWithoutSecrets } from "../shared/index.ts";

type Env = Readonly<Record<string, string | undefined>>;

const TOKEN_VARIABLES = ["GITHUB_MCP_SERVER_TOKEN", "GITHUB_TOKEN", "GITHUB_PERSONAL_ACCESS_TOKEN", "GH_TOKEN"] as const;
const DEFAULT_API_URL = "https://api.github.com";
const REQUEST_TIMEOUT_MS = 10_000;

export interface WorkflowRepoVisibility {
  /** `owner/repo` when the check can run (GITHUB_REPOSITORY and a token are set), else undefined. */
  readonly repository: string | undefined;
  /**
   * True or false as the API says; undefined when the check cannot run or failed, so callers fail
   * open. The request is made on the first call only; later calls share its answer.
   */
  isPublic(): Promise<boolean | undefined>;
}

export interface WorkflowRepoVisibilityOptions {
  env: Env;
  fetch?: typeof fetch;
  /** Receives why a request failed, for the debug log. */
  onFailure?: (reason: string) => void;
}

export function workflowRepoVisibility(options: WorkflowRepoVisibilityOptions): WorkflowRepoVisibility {
  const repositoryValue = options.env["GITHUB_REPOSITORY"]?.trim();
  const token = githubToken(options.env);
  const repository = repositoryValue && token ? repositoryValue : undefined;
  let answer: Promise<boolean | undefined> | undefined;
  return {
    repository,
    isPublic() {
      if (repository === undefined || token === undefined) return Promise.resolve(undefined);
      answer ??= fetchIsPublic(githubApiUrl(options.env), repository, token, options.fetch ?? fetch).catch((error: unknown) => {
        options.onFailure?.(failureReason(error));
        return undefined;
      });
      return answer;
    },
  };
}

/** The first non-blank of the reference's four token variables, trimmed. */
export function githubToken(env: Env): string | undefined {
  for (const name of TOKEN_VARIABLES) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/**
 * GITHUB_API_URL without trailing slashes; else derived from GITHUB_SERVER_URL (github.com →
 * api.github.com, GHE.com tenants → their api. host, GitHub Enterprise Server → /api/v3); else
 * api.github.com.
 */
export function githubApiUrl(env: Env): string {
  const apiUrl = env["GITHUB_API_URL"]?.trim();
  if (apiUrl) return apiUrl.replace(/\/+$/, "");
  const serverUrl = env["GITHUB_SERVER_URL"]?.trim();
  if (!serverUrl) return DEFAULT_API_URL;
  let server: URL;
  try {
    server = new URL(serverUrl);
  } catch {
    return DEFAULT_API_URL;
  }
  const host = server.host.toLowerCase();
  if (host === "github.com" || host === "www.github.com") return DEFAULT_API_URL;
  if (server.hostname.toLowerCase().endsWith(".ghe.com")) {
    return `${server.protocol}//${host.startsWith("api.") ? host : `api.${host}`}`;
  }
  return `${server.protocol}//${host}/api/v3`;
}

async function fetchIsPublic(apiUrl: string, repository: string, token: string, fetchImpl: typeof fetch): Promise<boolean> {
  const [owner, repo, ...rest] = repository.split("/");
  if (!owner || !repo || rest.length > 0) throw new Error(`GITHUB_REPOSITORY "${repository}" is not owner/repo`);
  const url = `${apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  const response = await fetchImpl(url, {
    headers: { Authorization: `token ${token}`, Accept: "application/vnd.github+json", "User-Agent": "awmg/1.0" },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`GET ${urlWithoutSecrets(url)} returned status ${response.status}`);
  }
  const body: unknown = await response.json();
  if (typeof body !== "object" || body === null) throw new Error(`GET ${urlWithoutSecrets(url)} returned no repository object`);
  const { visibility, private: isPrivate } = body as { visibility?: unknown; private?: unknown };
  const named = typeof visibility === "string" ? visibility.toLowerCase() : "";
  // Older GitHub Enterprise servers have no "visibility" field, only the "private" flag.
  if (named === "public" || named === "private" || named === "internal") return named === "public";
  return isPrivate !== true;
}

/** fetch hides the network error ("fetch failed") in its cause. */
function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
