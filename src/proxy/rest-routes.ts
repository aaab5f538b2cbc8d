// Which guard tool a REST read is (gateway.md §7.3): the reference's route table in its match
// order, so that the guard labels a `GET /repos/o/r/issues` exactly as it labels the MCP
// server's `list_issues`. Every read under /repos/<owner>/<repo> maps to some tool (at worst
// get_file_contents); only reads outside /repos that match nothing are unrecognised. Matching
// ignores case, so that a path the API might take in another case is never left unlabelled.

export interface GuardToolCall {
  toolName: string;
  args: Record<string, unknown>;
}

interface Route {
  /** Anchored; matched against the path after `/repos/<owner>/<repo>` for repository routes. */
  pattern: RegExp;
  toolName: string;
  /** Names for the captures, in order; numeric ones become numbers as the MCP tools take them. */
  captures?: readonly string[];
  method?: string | ((captures: readonly string[]) => string);
}

const NUMERIC_ARGS = new Set(["issue_number", "pullNumber", "discussion_number"]);

const PULL_METHODS: Record<string, string> = { files: "get_files", reviews: "get_reviews", comments: "get_review_comments", commits: "get_commits" };

/** Routes under /repos/<owner>/<repo>, in the reference's order. */
const REPOSITORY_ROUTES: readonly Route[] = [
  { pattern: /^\/issues\/(\d+)\/comments$/i, toolName: "issue_read", captures: ["issue_number"], method: "get_comments" },
  { pattern: /^\/issues\/(\d+)\/labels$/i, toolName: "issue_read", captures: ["issue_number"], method: "get_labels" },
  { pattern: /^\/issues\/(\d+)$/i, toolName: "issue_read", captures: ["issue_number"], method: "get" },
  { pattern: /^\/issues$/i, toolName: "list_issues" },
  {
    pattern: /^\/pulls\/(\d+)\/(files|reviews|comments|commits)$/i,
    toolName: "pull_request_read",
    captures: ["pullNumber"],
    method: (c) => PULL_METHODS[c[1]!]!,
  },
  { pattern: /^\/pulls\/(\d+)$/i, toolName: "pull_request_read", captures: ["pullNumber"], method: "get" },
  { pattern: /^\/pulls$/i, toolName: "list_pull_requests" },
  { pattern: /^\/commits\/([^/]+)\/check-(?:runs|suites)$/i, toolName: "pull_request_read", captures: ["sha"], method: "get_check_runs" },
  { pattern: /^\/commits\/([^/]+)$/i, toolName: "get_commit", captures: ["sha"] },
  { pattern: /^\/commits$/i, toolName: "list_commits" },
  { pattern: /^\/branches$/i, toolName: "list_branches" },
  { pattern: /^\/git\/ref\/tags\/(.+)$/i, toolName: "get_tag", captures: ["tag"] },
  { pattern: /^\/tags$/i, toolName: "list_tags" },
  { pattern: /^\/releases\/latest$/i, toolName: "get_latest_release" },
  { pattern: /^\/releases\/tags\/(.+)$/i, toolName: "get_release_by_tag", captures: ["tag"] },
  { pattern: /^\/releases$/i, toolName: "list_releases" },
  { pattern: /^\/contents(?:\/(.*))?$/i, toolName: "get_file_contents", captures: ["path"] },
  { pattern: /^\/git\/trees\/(.+)$/i, toolName: "get_file_contents", captures: ["sha"] },
  { pattern: /^\/labels\/([^/]+)$/i, toolName: "get_label", captures: ["name"] },
  { pattern: /^\/labels$/i, toolName: "list_labels" },
  { pattern: /^\/actions\/workflows$/i, toolName: "actions_list", method: "list_workflows" },
  { pattern: /^\/actions\/workflows\/([^/]+)\/runs$/i, toolName: "actions_list", captures: ["resource_id"], method: "list_workflow_runs" },
  { pattern: /^\/actions\/workflows\/([^/]+)$/i, toolName: "actions_get", captures: ["resource_id"], method: "get_workflow" },
  { pattern: /^\/actions\/runs\/(\d+)\/attempts\/\d+\/jobs$/i, toolName: "actions_list", captures: ["resource_id"], method: "list_workflow_jobs" },
  { pattern: /^\/actions\/runs\/(\d+)(?:\/attempts\/\d+)?\/logs$/i, toolName: "get_job_logs", captures: ["run_id"] },
  { pattern: /^\/actions\/runs\/(\d+)\/artifacts$/i, toolName: "actions_list", captures: ["resource_id"], method: "list_workflow_run_artifacts" },
  { pattern: /^\/actions\/artifacts$/i, toolName: "actions_list", method: "list_workflow_run_artifacts" },
  { pattern: /^\/actions\/runs\/(\d+)$/i, toolName: "actions_get", captures: ["resource_id"], method: "get_workflow_run" },
  { pattern: /^\/actions\/runs$/i, toolName: "actions_list", method: "list_workflow_runs" },
  { pattern: /^\/actions\/jobs\/(\d+)$/i, toolName: "actions_get", captures: ["resource_id"], method: "get_workflow_job" },
  { pattern: /^\/actions\/caches$/i, toolName: "actions_list", method: "list_caches" },
  { pattern: /^\/actions\/secrets$/i, toolName: "actions_list", method: "list_secrets" },
  { pattern: /^\/actions\/variables(?:\/([^/]+))?$/i, toolName: "actions_list", captures: ["name"], method: "list_variables" },
  { pattern: /^\/environments\/([^/]+)\/(?:secrets|variables)$/i, toolName: "actions_list", captures: ["resource_id"], method: "list_environment_config" },
  { pattern: /^\/discussions\/(\d+)\/comments$/i, toolName: "get_discussion_comments", captures: ["discussion_number"] },
  { pattern: /^\/discussions(?:\/(\d+))?$/i, toolName: "list_discussions", captures: ["discussion_number"] },
];

/** Routes outside /repos, in the reference's order. */
const OTHER_ROUTES: readonly Route[] = [
  { pattern: /^\/notifications$/i, toolName: "list_notifications" },
  { pattern: /^\/user(?:\/(?:keys|ssh_signing_keys|gpg_keys))?$/i, toolName: "get_me" },
  {
    pattern: /^\/orgs\/([^/]+)\/actions\/(?:secrets|variables)(?:\/([^/]+))?$/i,
    toolName: "actions_list",
    captures: ["owner", "name"],
    method: "list_org_config",
  },
  { pattern: /^\/search\/code$/i, toolName: "search_code" },
  { pattern: /^\/search\/issues$/i, toolName: "search_issues" },
  { pattern: /^\/search\/repositories$/i, toolName: "search_repositories" },
];

const REPOSITORY_PATH = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/i;

/**
 * The guard tool for a REST read of `path` (already without `/api/v3`), or null when no route
 * matches; `query` is the request's query string, whose `q` becomes the `query` argument.
 */
export function matchRestRoute(path: string, query: URLSearchParams): GuardToolCall | null {
  const q = query.get("q");
  const withQuery = (call: GuardToolCall): GuardToolCall => (q === null ? call : { ...call, args: { ...call.args, query: q } });
  const repository = REPOSITORY_PATH.exec(path);
  if (repository) {
    const owner = decode(repository[1]!);
    const repo = decode(repository[2]!);
    const rest = repository[3] ?? "";
    for (const route of REPOSITORY_ROUTES) {
      const call = apply(route, rest, { owner, repo });
      if (call) return withQuery(call);
    }
    // The reference's catch-all: any other read in a repository is labelled as its content.
    return withQuery({ toolName: "get_file_contents", args: { owner, repo } });
  }
  for (const route of OTHER_ROUTES) {
    const call = apply(route, path, {});
    if (call) return withQuery(call);
  }
  return null;
}

function apply(route: Route, path: string, base: Record<string, unknown>): GuardToolCall | null {
  const match = route.pattern.exec(path);
  if (!match) return null;
  const captures = match.slice(1).map((value) => (value === undefined ? "" : decode(value)));
  const args: Record<string, unknown> = { ...base };
  route.captures?.forEach((name, index) => {
    const value = captures[index];
    if (value === undefined || value === "") return;
    args[name] = NUMERIC_ARGS.has(name) ? Number(value) : value;
  });
  if (route.method !== undefined) args["method"] = typeof route.method === "string" ? route.method : route.method(captures);
  return { toolName: route.toolName, args };
}

/** A path segment as the API means it; a malformed escape is kept as written rather than failing the request. */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
