// The request methods MCP defines. Any other method name reaching the gateway was chosen by the
// agent (the routed endpoint forwards methods it does not know): where a name is written for
// someone other than the agent (a redacted log record, a metric label, a span), one outside this
// set may spell out what a tainted agent read, and is shown as something else.

export const MCP_REQUEST_METHODS: ReadonlySet<string> = new Set([
  "initialize",
  "ping",
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "prompts/list",
  "prompts/get",
  "completion/complete",
  "logging/setLevel",
]);

/** What a name outside the bounded sets is shown as (a made-up method or tool, an unknown server). */
export const OTHER = "other";

/** A method MCP defines as it is; anything else OTHER. */
export function shownMethod(value: unknown): string {
  return typeof value === "string" && MCP_REQUEST_METHODS.has(value) ? value : OTHER;
}

const listedNames = new WeakMap<readonly { name: string }[], ReadonlySet<string>>();

/** A tool the backend `listed` as it is; anything else (or no list yet) OTHER. Each list's names are indexed once. */
export function shownTool(listed: readonly { name: string }[] | undefined, value: unknown): string {
  if (typeof value !== "string" || listed === undefined) return OTHER;
  let names = listedNames.get(listed);
  if (names === undefined) {
    names = new Set(listed.map((tool) => tool.name));
    listedNames.set(listed, names);
  }
  return names.has(value) ? value : OTHER;
}
