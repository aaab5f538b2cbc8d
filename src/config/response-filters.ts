// Load-time checks of `tool_response_filters` (gateway.md §2.3): each expression must compile
// with jq, must not read `$ENV` (the environment is disabled), and may use no variable it does
// not bind itself. Blank tool names and blank expressions are already refused by the schema.
import type { ServerEntry } from "./build-server.ts";
import { childPath, type ConfigIssue } from "./issues.ts";
import { compileCheckProgram, compileErrors, describeCompileError, readsEnvironment } from "./jq/index.ts";
import { errorText } from "../shared/index.ts";

const UNDEFINED_VARIABLE = /^\$([A-Za-z_][A-Za-z0-9_]*) is not defined/;

function filtersPath(entry: ServerEntry): string {
  return childPath(entry.path, entry.keys["toolResponseFilters"] ?? "tool_response_filters");
}

function compileIssue(path: string, stderr: string): ConfigIssue {
  const detail = describeCompileError(stderr);
  const variable = UNDEFINED_VARIABLE.exec(detail)?.[1];
  return {
    path,
    problem: `${path} contains an invalid jq expression: ${detail}`,
    expected: variable
      ? `a jq expression without outside variables: tool_response_filters take none, so bind $${variable} inside the expression (… as $${variable} | …) or remove it`
      : 'a valid jq expression, e.g. ".items" or "{path: .path, sha: .sha}"',
  };
}

/** Appends an issue for every filter that reads $ENV or does not compile; jq runs once for all. */
export function checkResponseFilters(entries: readonly ServerEntry[], issues: ConfigIssue[]): void {
  const pending: Array<{ path: string; filter: string }> = [];
  for (const entry of entries) {
    for (const [tool, filter] of Object.entries(entry.toolResponseFilters ?? {})) {
      const path = childPath(filtersPath(entry), tool);
      if (readsEnvironment(filter)) {
        issues.push({
          path,
          problem: `${path} uses $ENV, which is disabled in tool response filters`,
          expected: "a jq expression that does not read the environment: remove $ENV",
        });
      } else {
        pending.push({ path, filter });
      }
    }
  }
  let errors: Array<string | null>;
  try {
    errors = compileErrors(pending.map(({ filter }) => compileCheckProgram(filter)));
  } catch (error) {
    const problem = `tool response filters could not be checked: ${errorText(error)}`;
    issues.push({ path: pending[0]?.path ?? "configuration", problem, expected: "a working jq engine (the jq-wasm package)" });
    return;
  }
  pending.forEach(({ path }, index) => {
    const stderr = errors[index];
    if (stderr) issues.push(compileIssue(path, stderr));
  });
}
