// Which guard tool a GraphQL request is (gateway.md §7.3): the reference recognises operations by
// patterns in the query text, first match wins, and names the repository from the variables or
// the query. Two departures (docs/compatibility.md): `issueOrPullRequest(`, which `gh issue view`
// sends, is an issue_read (the reference misses it and labels the issue as repository content),
// and a mutation is a write, passed through like a REST write (the reference refuses it as an
// unrecognised read).
import type { GuardToolCall } from "./rest-routes.ts";
import { isObject } from "../shared/index.ts";

export type GraphqlRequest =
  | { kind: "introspection" }
  | { kind: "mutation" }
  | { kind: "unrecognized" }
  /** A read with more than one source of data (two repositories, a repository and a search): refused, see classifyGraphql. */
  | { kind: "several-sources"; count: number }
  | { kind: "read"; call: GuardToolCall };

interface GraphqlPattern {
  pattern: RegExp;
  toolName: string;
}

/** In the reference's order; the first is flowgate's (see the file comment). */
const PATTERNS: readonly GraphqlPattern[] = [
  { pattern: /\bissueOrPullRequest\s*\(/i, toolName: "issue_read" },
  { pattern: /repository\s*\([^)]*\)\s*\{[\s\S]*\bissue\s*\(/i, toolName: "issue_read" },
  { pattern: /\bissues\s*[({]/i, toolName: "list_issues" },
  { pattern: /\bpullRequest\s*\(/i, toolName: "pull_request_read" },
  { pattern: /\bpullRequests\b/i, toolName: "list_pull_requests" },
  { pattern: /\bhistory\s*\(/i, toolName: "list_commits" },
  { pattern: /\bdiscussion\s*\(|\bdiscussions\b/i, toolName: "list_discussions" },
  { pattern: /\bdiscussionCategories\b/i, toolName: "list_discussion_categories" },
  { pattern: /\bsearch\s*\(/i, toolName: "search_issues" },
  { pattern: /\bprojectV2/i, toolName: "list_projects" },
  { pattern: /\bviewer\s*\{/i, toolName: "get_me" },
  { pattern: /\borganization\s*\(/i, toolName: "search_orgs" },
  { pattern: /\brepository\s*\(/i, toolName: "get_file_contents" },
];

/** The query fields that read from somewhere of their own, each labelled by its own repository or scope. */
const ROOT_SOURCES = /\b(?:repository|repositoryOwner|search|organization|user|node|nodes|enterprise|topic|resource)\s*\(|\bviewer\s*\{/gi;

/** Classifies a parsed GraphQL request body `{query, variables}`. */
export function classifyGraphql(body: unknown): GraphqlRequest {
  const fields = isObject(body) ? body : {};
  const query = typeof fields["query"] === "string" ? fields["query"] : "";
  const variables = isObject(fields["variables"]) ? fields["variables"] : {};
  if (query.trim() === "") return { kind: "unrecognized" };
  if (isMutation(query)) return { kind: "mutation" };
  if (/__schema\b|__type\s*\(/.test(query)) return { kind: "introspection" };
  const match = PATTERNS.find(({ pattern }) => pattern.test(query));
  if (!match) return { kind: "unrecognized" };
  // The guard labels a read by the one repository (or search) its arguments name; a second source
  // in the same query (a private repository aliased beside a public one, a search beside a
  // repository) would come back under the first one's labels. The reference lets it through.
  const sources = query.match(ROOT_SOURCES)?.length ?? 0;
  if (sources > 1) return { kind: "several-sources", count: sources };
  const args: Record<string, unknown> = { ...repositoryOf(query, variables) };
  if (match.toolName === "issue_read") {
    args["method"] = "get";
    if (typeof variables["number"] === "number") args["issue_number"] = variables["number"];
  }
  if (match.toolName === "search_issues") {
    const searched = typeof variables["query"] === "string" ? variables["query"] : /search\s*\(\s*query\s*:\s*"((?:[^"\\]|\\.)*)"/i.exec(query)?.[1];
    if (searched !== undefined) args["query"] = searched;
  }
  return { kind: "read", call: { toolName: match.toolName, args } };
}

/**
 * A document whose first operation is a mutation. Comments and an anonymous `{…}` query are
 * handled; fragments before the operation are skipped.
 */
function isMutation(query: string): boolean {
  const operations = query.replace(/#[^\n]*/g, "").replace(/\bfragment\b[^{]*\{/g, "fragment {");
  const first = /(?:^|[}\s])(query|mutation|subscription)\b|^\s*\{/.exec(operations);
  return first?.[1] === "mutation";
}

function repositoryOf(query: string, variables: Record<string, unknown>): { owner?: string; repo?: string } {
  const inline = /repository\s*\(\s*owner\s*:\s*"([^"]+)"\s*,\s*name\s*:\s*"([^"]+)"/i.exec(query);
  const owner = stringOr(variables["owner"], inline?.[1] ?? /"owner"\s*:\s*"([^"]+)"/.exec(query)?.[1]);
  const repo = stringOr(variables["name"], stringOr(variables["repo"], inline?.[2]));
  return { ...(owner !== undefined ? { owner } : {}), ...(repo !== undefined ? { repo } : {}) };
}

function stringOr(value: unknown, fallback: string | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : fallback;
}

const AUTHOR_FIELDS = "authorAssociation author{login}";

/**
 * The query with the author fields the guard labels by added where the client did not ask for
 * them, as the reference does: inside the `nodes` of an `issues(…)`/`pullRequests(…)` connection,
 * and in an `issue(…)`/`pullRequest(…)`/`issueOrPullRequest(…)` selection (through inline
 * fragments there, since that one is a union). The answer then carries fields the client did not
 * ask for, which GraphQL clients ignore.
 */
export function withAuthorFields(query: string): string {
  let rewritten = query;
  for (const connection of ["issues", "pullRequests"]) {
    rewritten = insertIntoSelections(rewritten, new RegExp(`\\b${connection}\\b`, "g"), (selection, at) => {
      const nodes = /\bnodes\s*\{/y;
      for (let depth = 0, i = selection; i < at.length; i++) {
        const c = at[i];
        if (c === "{") depth++;
        else if (c === "}" && --depth === 0) return null;
        else if (depth === 1) {
          nodes.lastIndex = i;
          if (nodes.test(at)) return nodes.lastIndex;
        }
      }
      return null;
    });
  }
  rewritten = insertIntoSelections(rewritten, /\b(?:issue|pullRequest)\b(?!s)/g, (selection) => selection + 1);
  return insertIntoSelections(
    rewritten,
    /\bissueOrPullRequest\b/g,
    (selection) => selection + 1,
    `... on Issue{${AUTHOR_FIELDS}} ... on PullRequest{${AUTHOR_FIELDS}} `,
  );
}

/**
 * For each field that `name` finds (with optional arguments in parentheses), asks `where` for the
 * offset inside its selection set to insert `fields` at, and inserts them.
 */
function insertIntoSelections(
  query: string,
  name: RegExp,
  where: (selectionStart: number, query: string) => number | null,
  fields = `${AUTHOR_FIELDS} `,
): string {
  const inserts: number[] = [];
  for (const match of query.matchAll(name)) {
    let i = match.index + match[0].length;
    while (/\s/.test(query[i] ?? "")) i++;
    if (query[i] === "(") {
      let depth = 0;
      for (; i < query.length; i++) {
        if (query[i] === "(") depth++;
        else if (query[i] === ")" && --depth === 0) break;
      }
      i++;
      while (/\s/.test(query[i] ?? "")) i++;
    }
    if (query[i] !== "{") continue;
    const at = where(i, query);
    if (at !== null) inserts.push(at);
  }
  let result = query;
  for (const at of inserts.sort((a, b) => b - a)) result = `${result.slice(0, at)} ${fields}${result.slice(at)}`;
  return result;
}
