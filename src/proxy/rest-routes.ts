// Which guard tool a REST read is (gateway.md §7.3): the reference's route table in its match
// order, so that the guard labels a `GET /repos/o/r/issues` exactly as it labels the MCP
// server's `list_issues`. Every read under /repos/<owner>/<repo> maps to some tool (at worst
// get_file_contents); only reads outside /repos that match nothing are unrecognised. Matching
// ignores case, so that a path the API might take in another case is never left unlabelled.

export interface GuardToolCall {
  toolName: string;
  args: Record<string, unknown>;
}

/** A REST path's guard tool, and the route's shape for spans. */
export interface RestRoute {
  call: GuardToolCall;
  /**
   * The route with every part the request chose replaced by `{name}` and the rest in lower case
   * (`/repos/{owner}/{repo}/issues/{issue_number}`): it names which endpoint was read, never which
   * repository, issue, file or label, and the case the request used cannot carry bits either.
   */
  shape: string;
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
/** Captured only to be hidden in the shape: the reference's tools take no such argument. */
const SHAPE_ONLY = new Set(["attempt"]);

const PULL_METHODS: Record<string, string> = { files: "get_files", reviews: "get_reviews", comments: "get_review_comments", commits: "get_commits" };

/** Routes under /repos/<owner>/<repo>, in the reference's order. */
const REPOSITORY_ROUTES: readonly Route[] = [
  { pattern: /^\/issues\/(\d+)\/comments$/di, toolName: "issue_read", captures: ["issue_number"], method: "get_comments" },
  { pattern: /^\/issues\/(\d+)\/labels$/di, toolName: "issue_read", captures: ["issue_number"], method: "get_labels" },
  { pattern: /^\/issues\/(\d+)$/di, toolName: "issue_read", captures: ["issue_number"], method: "get" },
  { pattern: /^\/issues$/di, toolName: "list_issues" },
  {
    pattern: /^\/pulls\/(\d+)\/(files|reviews|comments|commits)$/di,
    toolName: "pull_request_read",
    captures: ["pullNumber"],
    method: (c) => PULL_METHODS[c[1]!]!,
  },
  { pattern: /^\/pulls\/(\d+)$/di, toolName: "pull_request_read", captures: ["pullNumber"], method: "get" },
  { pattern: /^\/pulls$/di, toolName: "list_pull_requests" },
  { pattern: /^\/commits\/([^/]+)\/check-(?:runs|suites)$/di, toolName: "pull_request_read", captures: ["sha"], method: "get_check_runs" },
  { pattern: /^\/commits\/([^/]+)$/di, toolName: "get_commit", captures: ["sha"] },
  { pattern: /^\/commits$/di, toolName: "list_commits" },
  { pattern: /^\/branches$/di, toolName: "list_branches" },
  { pattern: /^\/git\/ref\/tags\/(.+)$/di, toolName: "get_tag", captures: ["tag"] },
  { pattern: /^\/tags$/di, toolName: "list_tags" },
  { pattern: /^\/releases\/latest$/di, toolName: "get_latest_release" },
  { pattern: /^\/releases\/tags\/(.+)$/di, toolName: "get_release_by_tag", captures: ["tag"] },
  { pattern: /^\/releases$/di, toolName: "list_releases" },
  { pattern: /^\/contents(?:\/(.*))?$/di, toolName: "get_file_contents", captures: ["path"] },
  { pattern: /^\/git\/trees\/(.+)$/di, toolName: "get_file_contents", captures: ["sha"] },
  { pattern: /^\/labels\/([^/]+)$/di, toolName: "get_label", captures: ["name"] },
  { pattern: /^\/labels$/di, toolName: "list_labels" },
  { pattern: /^\/actions\/workflows$/di, toolName: "actions_list", method: "list_workflows" },
  { pattern: /^\/actions\/workflows\/([^/]+)\/runs$/di, toolName: "actions_list", captures: ["resource_id"], method: "list_workflow_runs" },
  { pattern: /^\/actions\/workflows\/([^/]+)$/di, toolName: "actions_get", captures: ["resource_id"], method: "get_workflow" },
  {
    pattern: /^\/actions\/runs\/(\d+)\/attempts\/(\d+)\/jobs$/di,
    toolName: "actions_list",
    captures: ["resource_id", "attempt"],
    method: "list_workflow_jobs",
  },
  { pattern: /^\/actions\/runs\/(\d+)(?:\/attempts\/(\d+))?\/logs$/di, toolName: "get_job_logs", captures: ["run_id", "attempt"] },
  { pattern: /^\/actions\/runs\/(\d+)\/artifacts$/di, toolName: "actions_list", captures: ["resource_id"], method: "list_workflow_run_artifacts" },
  { pattern: /^\/actions\/artifacts$/di, toolName: "actions_list", method: "list_workflow_run_artifacts" },
  { pattern: /^\/actions\/runs\/(\d+)$/di, toolName: "actions_get", captures: ["resource_id"], method: "get_workflow_run" },
  { pattern: /^\/actions\/runs$/di, toolName: "actions_list", method: "list_workflow_runs" },
  { pattern: /^\/actions\/jobs\/(\d+)$/di, toolName: "actions_get", captures: ["resource_id"], method: "get_workflow_job" },
  { pattern: /^\/actions\/caches$/di, toolName: "actions_list", method: "list_caches" },
  { pattern: /^\/actions\/secrets$/di, toolName: "actions_list", method: "list_secrets" },
  { pattern: /^\/actions\/variables(?:\/([^/]+))?$/di, toolName: "actions_list", captures: ["name"], method: "list_variables" },
  { pattern: /^\/environments\/([^/]+)\/(?:secrets|variables)$/di, toolName: "actions_list", captures: ["resource_id"], method: "list_environment_config" },
  { pattern: /^\/discussions\/(\d+)\/comments$/di, toolName: "get_discussion_comments", captures: ["discussion_number"] },
  { pattern: /^\/discussions(?:\/(\d+))?$/di, toolName: "list_discussions", captures: ["discussion_number"] },
];

/** Routes outside /repos, in the reference's order. */
const OTHER_ROUTES: readonly Route[] = [
  { pattern: /^\/notifications$/di, toolName: "list_notifications" },
  { pattern: /^\/user(?:\/(?:keys|ssh_signing_keys|gpg_keys))?$/di, toolName: "get_me" },
  {
    pattern: /^\/orgs\/([^/]+)\/actions\/(?:secrets|variables)(?:\/([^/]+))?$/di,
    toolName: "actions_list",
    captures: ["owner", "name"],
    method: "list_org_config",
  },
  { pattern: /^\/search\/code$/di, toolName: "search_code" },
  { pattern: /^\/search\/issues$/di, toolName: "search_issues" },
  { pattern: /^\/search\/repositories$/di, toolName: "search_repositories" },
];

// The shape replaces each capture by where the `d` flag says it matched: without it, a capture would stay in the shape.
for (const route of [...REPOSITORY_ROUTES, ...OTHER_ROUTES]) {
  if (!route.pattern.hasIndices) throw new Error(`REST route ${String(route.pattern)} needs the d flag`);
}

const REPOSITORY_PATH = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/i;
const REPOSITORY_SHAPE = "/repos/{owner}/{repo}";

/**
 * The guard tool for a REST read of `path` (already without `/api/v3`) and the route's shape, or
 * null when no route matches; `query` is the request's query string, whose `q` becomes the `query` argument.
 */
export function matchRestRoute(path: string, query: URLSearchParams): RestRoute | null {
  const q = query.get("q");
  const withQuery = ({ call, shape }: RestRoute): RestRoute => (q === null ? { call, shape } : { call: { ...call, args: { ...call.args, query: q } }, shape });
  const repository = REPOSITORY_PATH.exec(path);
  if (repository) {
    const owner = decode(repository[1]!);
    const repo = decode(repository[2]!);
    const rest = repository[3] ?? "";
    for (const route of REPOSITORY_ROUTES) {
      const matched = apply(route, rest, { owner, repo });
      if (matched) return withQuery({ call: matched.call, shape: `${REPOSITORY_SHAPE}${matched.shape}` });
    }
    // The reference's catch-all: any other read in a repository is labelled as its content.
    const call = { toolName: "get_file_contents", args: { owner, repo } };
    return withQuery({ call, shape: rest === "" ? REPOSITORY_SHAPE : `${REPOSITORY_SHAPE}/{path}` });
  }
  for (const route of OTHER_ROUTES) {
    const matched = apply(route, path, {});
    if (matched) return withQuery(matched);
  }
  return null;
}

function apply(route: Route, path: string, base: Record<string, unknown>): RestRoute | null {
  const match = route.pattern.exec(path);
  if (!match) return null;
  const captures = match.slice(1).map((value) => (value === undefined ? "" : decode(value)));
  const args: Record<string, unknown> = { ...base };
  route.captures?.forEach((name, index) => {
    const value = captures[index];
    if (value === undefined || value === "" || SHAPE_ONLY.has(name)) return;
    args[name] = NUMERIC_ARGS.has(name) ? Number(value) : value;
  });
  if (route.method !== undefined) args["method"] = typeof route.method === "string" ? route.method : route.method(captures);
  return { call: { toolName: route.toolName, args }, shape: shapeOf(path, match, route.captures ?? []) };
}

/** `path` with each named capture replaced by `{name}`; an unnamed one (`files|reviews|…`) is the route's own word. */
function shapeOf(path: string, match: RegExpExecArray, names: readonly string[]): string {
  let shape = "";
  let from = 0;
  names.forEach((name, index) => {
    const span = match.indices?.[index + 1];
    if (span === undefined) return;
    shape += `${path.slice(from, span[0]).toLowerCase()}{${name}}`;
    from = span[1];
  });
  return shape + path.slice(from).toLowerCase();
}

/** A path segment as the API means it; a malformed escape is kept as written rather than failing the request. */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
