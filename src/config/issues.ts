// Every configuration problem is reported the same way: where (a dotted path such as
// `mcpServers.github.url`), what is wrong, and what would be accepted instead. A load
// collects all problems of one stage so a user can fix them in one pass.

export interface ConfigIssue {
  /** Dotted path into the document, e.g. `mcpServers.github.mounts[0]`; `configuration` for the whole. */
  path: string;
  /** What is wrong. */
  problem: string;
  /** What would be accepted, or how to fix it. */
  expected: string;
}

const SPEC_URL = "https://github.com/github/gh-aw/blob/main/docs/src/content/docs/reference/mcp-gateway.md";

export function formatIssue(issue: ConfigIssue): string {
  return `Configuration error at ${issue.path}: ${issue.problem}\nSuggestion: ${issue.expected}`;
}

/** A configuration that cannot be loaded; `message` is what the user sees after `failed to load config: `. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], options: { schema?: boolean } = {}) {
    const body = issues.map(formatIssue).join("\n\n");
    super(
      options.schema ? `Configuration validation error:\n\n${body}\n\nThe supported fields are those of the MCP Gateway Specification:\n${SPEC_URL}` : body,
    );
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** Throws a ConfigError when a stage found problems. */
export function throwIfAny(issues: readonly ConfigIssue[], options: { schema?: boolean } = {}): void {
  if (issues.length > 0) throw new ConfigError(issues, options);
}

/** Appends a key or index to a dotted path. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent === "" ? key : `${parent}.${key}`;
}
