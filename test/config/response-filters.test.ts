// tool_response_filters at load time: every expression is compiled by jq (in a worker thread,
// once per load), $ENV and outside variables are refused, and blank names or expressions fail.
import { describe, expect, it } from "vitest";
import { loadJsonConfig } from "../../src/config/json-loader.ts";
import { loadTomlConfig } from "../../src/config/toml-loader.ts";
import { base, configError, issueAt } from "./support.ts";

const DOCKER = '[servers.s]\ncommand = "docker"\nargs = ["run", "--rm", "-i", "img"]\n';
const toml = (filters: Record<string, string>) =>
  `${DOCKER}[servers.s.tool_response_filters]\n${Object.entries(filters)
    .map(([tool, filter]) => `${JSON.stringify(tool)} = ${JSON.stringify(filter)}`)
    .join("\n")}\n`;
const json = (filters: Record<string, string>) => JSON.stringify(base({ s: { container: "img", tool_response_filters: filters } }));

const formats = [
  ["TOML", "servers.s.tool_response_filters", (filters: Record<string, string>) => loadTomlConfig(toml(filters), {})],
  ["JSON", "mcpServers.s.tool_response_filters", (filters: Record<string, string>) => loadJsonConfig(json(filters), {})],
] as const;

const rejected: Array<[string, Record<string, string>, string, RegExp]> = [
  [
    "a syntax error, with line and column",
    { t: "map(" },
    "t",
    /^PATH\.t contains an invalid jq expression: syntax error, unexpected end of file at line 1, column 4$/,
  ],
  ["an error on a later line", { t: ".a,\n.b | map(" }, "t", /contains an invalid jq expression: syntax error, unexpected end of file at line 2, column 9/],
  ["an undefined function", { t: ".items | frobnicate" }, "t", /contains an invalid jq expression: frobnicate\/0 is not defined at line 1, column 10/],
  ["a variable the expression does not bind", { t: ".a | select(.x == $wanted)" }, "t", /contains an invalid jq expression: \$wanted is not defined/],
  ["$ENV", { t: "$ENV.HOME" }, "t", /^PATH\.t uses \$ENV, which is disabled in tool response filters$/],
  ["$ENV inside a string interpolation", { t: '"home: \\($ENV.HOME)"' }, "t", /uses \$ENV/],
  ["a module import", { t: 'import "lib" as lib; .' }, "t", /contains an invalid jq expression/],
];

const accepted: Array<[string, string]> = [
  ["a field pick", ".items"],
  ["an object construction", "{path: .path, sha: .sha}"],
  ["a variable bound inside the expression", ". as $all | $all.items | length"],
  ["$ENV as text in a string", 'select(.text | contains("$ENV"))'],
  ["$ENV in a comment", ".a # not $ENV\n| .b"],
  ["a recursive definition (never run at load)", "def spin: spin; spin"],
  ["a generator (never run at load)", "[range(infinite)]"],
];

describe.each(formats)("tool_response_filters in %s", (_format, path, load) => {
  it.each(rejected)("rejects %s with the reference's text and the path", (_name, filters, tool, problem) => {
    const error = configError(() => load(filters));
    const issue = issueAt(error, `${path}.${tool}`);
    expect(issue, error.message).toBeDefined();
    expect(issue!.problem).toMatch(new RegExp(problem.source.replace("PATH", path.replaceAll(".", "\\."))));
  });

  it("suggests binding a variable inside the expression", () => {
    const issue = configError(() => load({ t: "$wanted" })).issues[0];
    expect(issue?.expected).toContain("bind $wanted inside the expression");
  });

  it("reports every bad filter of the configuration at once", () => {
    const error = configError(() => load({ a: "map(", b: ".ok", c: "$ENV" }));
    expect(error.issues.map((issue) => issue.path)).toEqual([`${path}.c`, `${path}.a`]);
  });

  it.each([
    ["a blank tool name", { " ": ".a" }],
    ["a blank expression", { t: "  " }],
  ])("rejects %s", (_name, filters) => {
    const error = configError(() => load(filters));
    expect(error.issues.some((issue) => issue.path.startsWith(path))).toBe(true);
  });

  it("loads valid expressions unchanged", () => {
    const filters = Object.fromEntries(accepted.map(([, filter], index) => [`tool${index}`, filter]));
    expect(load(filters).servers[0]?.toolResponseFilters).toEqual(filters);
  });
});
