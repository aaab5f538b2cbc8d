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
