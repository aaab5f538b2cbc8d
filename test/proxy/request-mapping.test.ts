// Which guard tool each REST path and GraphQL query is labelled as (gateway.md §7.3), including
// the queries Debian's gh 2.23 sends for `gh issue list`, `gh issue view` and `gh issue create`.
import { describe, expect, it } from "vitest";
import { classifyGraphql, matchRestRoute, withAuthorFields } from "../../src/proxy/index.ts";

describe("REST route table", () => {
  it.each([
    ["/repos/o/r/issues/7/comments", "issue_read", { owner: "o", repo: "r", issue_number: 7, method: "get_comments" }],
    ["/repos/o/r/issues/7/labels", "issue_read", { issue_number: 7, method: "get_labels" }],
    ["/repos/o/r/issues/7", "issue_read", { issue_number: 7, method: "get" }],
    ["/repos/o/r/issues", "list_issues", { owner: "o", repo: "r" }],
    ["/repos/o/r/pulls/3/reviews", "pull_request_read", { pullNumber: 3, method: "get_reviews" }],
    ["/repos/o/r/pulls/3/comments", "pull_request_read", { pullNumber: 3, method: "get_review_comments" }],
    ["/repos/o/r/pulls/3", "pull_request_read", { pullNumber: 3, method: "get" }],
    ["/repos/o/r/pulls", "list_pull_requests", {}],
    ["/repos/o/r/commits/abc/check-runs", "pull_request_read", { sha: "abc", method: "get_check_runs" }],
    ["/repos/o/r/commits/abc", "get_commit", { sha: "abc" }],
    ["/repos/o/r/git/ref/tags/v1.0", "get_tag", { tag: "v1.0" }],
    ["/repos/o/r/releases/latest", "get_latest_release", {}],
    ["/repos/o/r/releases/tags/v2", "get_release_by_tag", { tag: "v2" }],
    ["/repos/o/r/contents/docs/a%20b.md", "get_file_contents", { path: "docs/a b.md" }],
    ["/repos/o/r/labels/bug", "get_label", { name: "bug" }],
    ["/repos/o/r/actions/workflows/ci.yml/runs", "actions_list", { resource_id: "ci.yml", method: "list_workflow_runs" }],
    ["/repos/o/r/actions/runs/5/attempts/2/logs", "get_job_logs", { run_id: "5" }],
    ["/repos/o/r/actions/runs/5", "actions_get", { resource_id: "5", method: "get_workflow_run" }],
    ["/repos/o/r/environments/prod/secrets", "actions_list", { method: "list_environment_config" }],
    ["/repos/o/r/discussions/4/comments", "get_discussion_comments", { discussion_number: 4 }],
    ["/repos/o/r/discussions/4", "list_discussions", { discussion_number: 4 }],
    ["/repos/o/r/anything/else", "get_file_contents", { owner: "o", repo: "r" }],
    ["/repos/o/r", "get_file_contents", { owner: "o", repo: "r" }],
    ["/user/gpg_keys", "get_me", {}],
    ["/orgs/acme/actions/secrets", "actions_list", { owner: "acme", method: "list_org_config" }],
    ["/notifications", "list_notifications", {}],
    ["/REPOS/o/r/Issues", "list_issues", { owner: "o", repo: "r" }],
  ])("%s is %s", (path, toolName, args) => {
    const call = matchRestRoute(path, new URLSearchParams())?.call;
    expect(call?.toolName).toBe(toolName);
    expect(call?.args).toMatchObject(args);
  });

  it.each([
    ["/search/issues", "q=repo:o/r is:open", "search_issues"],
    ["/search/repositories", "q=org:acme", "search_repositories"],
    ["/search/code", "q=secret", "search_code"],
  ])("%s takes its query from ?q= (%s)", (path, query, toolName) => {
    const params = new URLSearchParams(query);
    expect(matchRestRoute(path, params)?.call).toEqual({ toolName, args: { query: params.get("q") } });
  });

  it.each([
    ["/repos/o/r/issues/7/comments", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
    ["/repos/o/r/pulls/3/Reviews", "/repos/{owner}/{repo}/pulls/{pullNumber}/reviews"],
    ["/repos/o/r/commits/abc/check-suites", "/repos/{owner}/{repo}/commits/{sha}/check-suites"],
    ["/repos/o/r/contents/docs/a%20b.md", "/repos/{owner}/{repo}/contents/{path}"],
    ["/repos/o/r/contents", "/repos/{owner}/{repo}/contents"],
    ["/repos/o/r/labels/bug", "/repos/{owner}/{repo}/labels/{name}"],
    ["/repos/o/r/actions/runs/5/attempts/2/jobs", "/repos/{owner}/{repo}/actions/runs/{resource_id}/attempts/{attempt}/jobs"],
    ["/repos/o/r/actions/runs/5/attempts/2/logs", "/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt}/logs"],
    ["/repos/o/r/environments/prod/variables", "/repos/{owner}/{repo}/environments/{resource_id}/variables"],
    ["/repos/o/r/discussions", "/repos/{owner}/{repo}/discussions"],
    ["/repos/o/r/anything/else", "/repos/{owner}/{repo}/{path}"],
    ["/repos/o/r", "/repos/{owner}/{repo}"],
    ["/REPOS/o/r/Issues", "/repos/{owner}/{repo}/issues"],
    ["/orgs/acme/actions/variables/token", "/orgs/{owner}/actions/variables/{name}"],
    ["/search/issues", "/search/issues"],
  ])("%s has the shape %s, naming no repository, number or name", (path, shape) => {
    expect(matchRestRoute(path, new URLSearchParams("q=private-term"))?.shape).toBe(shape);
  });

  it("takes no run attempt as an argument, as the reference's tools take none", () => {
    expect(matchRestRoute("/repos/o/r/actions/runs/5/attempts/2/jobs", new URLSearchParams())?.call.args).toEqual({
      owner: "o",
      repo: "r",
      resource_id: "5",
      method: "list_workflow_jobs",
    });
  });

  it.each([["/users/someone"], ["/orgs/acme/repos"], ["/gists"]])("%s outside /repos matches no route", (path) => {
    expect(matchRestRoute(path, new URLSearchParams())).toBeNull();
  });
});

// Captured from Debian's gh 2.23 (`gh issue list`, `gh issue view 1`, `gh issue create`).
const GH_ISSUE_LIST =
  "fragment issue on Issue {number,title,url,state,updatedAt,labels(first:100){nodes{id,name,description,color},totalCount}}\n\tquery IssueList($owner: String!, $repo: String!, $limit: Int, $endCursor: String, $states: [IssueState!] = OPEN) {\n\t\trepository(owner: $owner, name: $repo) {\n\t\t\thasIssuesEnabled\n\t\t\tissues(first: $limit, after: $endCursor, orderBy: {field: CREATED_AT, direction: DESC}, states: $states) {\n\t\t\t\ttotalCount\n\t\t\t\tnodes {\n\t\t\t\t\t...issue\n\t\t\t\t}\n\t\t\t\tpageInfo {\n\t\t\t\t\thasNextPage\n\t\t\t\t\tendCursor\n\t\t\t\t}\n\t\t\t}\n\t\t}\n\t}\n\t";
const GH_ISSUE_VIEW =
  "\n\tquery IssueByNumber($owner: String!, $repo: String!, $number: Int!) {\n\t\trepository(owner: $owner, name: $repo) {\n\t\t\thasIssuesEnabled\n\t\t\tissue: issueOrPullRequest(number: $number) {\n\t\t\t\t__typename\n\t\t\t\t...on Issue{number,url,state,createdAt,title,body,author{login,...on User{id,name}},comments(last: 1) {nodes {author{login},authorAssociation,body},totalCount},id}\n\t\t\t\t...on PullRequest{number,url,state,title,body,author{login},id}\n\t\t\t}\n\t\t}\n\t}";
const GH_ISSUE_CREATE =
  "\n\t\tmutation IssueCreate($input: CreateIssueInput!) {\n\t\t\tcreateIssue(input: $input) {\n\t\t\t\tissue {\n\t\t\t\t\turl\n\t\t\t\t}\n\t\t\t}\n\t\t}";
const GH_FIELDS = 'query Issue_fields{Issue: __type(name: "Issue"){fields(includeDeprecated: true){name}}}';

describe("GraphQL operations", () => {
  it.each([
    [
      "gh issue list",
      GH_ISSUE_LIST,
      { limit: 30, owner: "octo", repo: "pub" },
      { kind: "read", call: { toolName: "list_issues", args: { owner: "octo", repo: "pub" } } },
    ],
    [
      "gh issue view (issueOrPullRequest, which the reference misses)",
      GH_ISSUE_VIEW,
      { number: 2, owner: "octo", repo: "pub" },
      { kind: "read", call: { toolName: "issue_read", args: { owner: "octo", repo: "pub", method: "get", issue_number: 2 } } },
    ],
    ["gh issue create (a mutation, which the reference refuses as an unknown read)", GH_ISSUE_CREATE, { input: { title: "t" } }, { kind: "mutation" }],
    ["gh's introspection", GH_FIELDS, {}, { kind: "introspection" }],
    [
      "an inline repository and a pull request",
      'query { repository(owner: "a", name: "b") { pullRequest(number: 1) { title } } }',
      {},
      { kind: "read", call: { toolName: "pull_request_read", args: { owner: "a", repo: "b" } } },
    ],
    [
      "a search with an inline query",
      'query { search(query: "is:issue org:a", type: ISSUE, first: 5) { nodes { __typename } } }',
      {},
      { kind: "read", call: { toolName: "search_issues", args: { query: "is:issue org:a" } } },
    ],
    ["the viewer", "{ viewer { login } }", {}, { kind: "read", call: { toolName: "get_me", args: {} } }],
    ["a mutation after a fragment", "fragment f on Issue { id } mutation M { closeIssue(input: {}) { issue { ...f } } }", {}, { kind: "mutation" }],
    ["nothing recognised", "{ rateLimit { remaining } }", {}, { kind: "unrecognized" }],
    [
      "a second repository under an alias, which would be labelled as the first",
      '{ repository(owner: "octo", name: "pub") { issues(first: 1) { nodes { title } } } other: repository(owner: "octo", name: "priv") { issues(first: 9) { nodes { title } } } }',
      {},
      { kind: "several-sources", count: 2 },
    ],
    [
      "a search beside a repository, which would be labelled as the repository",
      '{ repository(owner: "octo", name: "pub") { issues(first: 1) { nodes { title } } } search(query: "repo:octo/priv", type: ISSUE, first: 9) { nodes { ... on Issue { title } } } }',
      {},
      { kind: "several-sources", count: 2 },
    ],
  ])("%s", (_name, query, variables, expected) => {
    expect(classifyGraphql({ query, variables })).toEqual(expected);
  });

  it.each([
    [
      "gh issue list: into the issues' nodes, not the labels' nodes",
      GH_ISSUE_LIST,
      /nodes \{ authorAssociation author\{login\} \s*\.\.\.issue/,
      /labels\(first:100\)\{nodes\{id/,
    ],
    [
      "gh issue view: through inline fragments of the union",
      GH_ISSUE_VIEW,
      /issueOrPullRequest\(number: \$number\) \{ \.\.\. on Issue\{authorAssociation author\{login\}\} \.\.\. on PullRequest\{authorAssociation author\{login\}\}/,
      /hasIssuesEnabled\n/,
    ],
    [
      "an issue by number",
      '{ repository(owner:"a", name:"b") { issue(number: 1) { title } } }',
      /issue\(number: 1\) \{ authorAssociation author\{login\}\s+title/,
      /title/,
    ],
  ])("asks for the author fields the guard labels by: %s", (_name, query, added, kept) => {
    const rewritten = withAuthorFields(query);
    expect(rewritten).toMatch(added);
    expect(rewritten).toMatch(kept);
    expect(rewritten.match(/authorAssociation author\{login\}/g)?.length).toBe(_name.startsWith("gh issue view") ? 2 : 1);
  });
});
