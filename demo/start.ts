// npm start: builds the filesystem guard if its sources changed, says what the demo is and what
// to try (on stderr: the gateway's stdout carries only its client configuration document), then
// runs flowgate on demo/flowgate.toml, all in one process so the demo is up quickly.
import { buildGuards } from "../scripts/build-guards.ts";
import { main } from "../src/cli/main.ts";

await buildGuards(["filesystem"]);
process.stderr.write(`flowgate demo: server-filesystem over demo/workspace behind the filesystem guard (filter mode),
and server-memory as a public write sink. Config: demo/flowgate.toml.

Connect an MCP client (streamable HTTP) to the URLs in the JSON document printed below, with the
header \`Authorization: demo-agent\`. Three things to try:
  1. files → list_directory on the workspace: private/ and inbox/ are hidden, with a [Filtered] notice.
  2. files → read_text_file private/salaries.md: refused by the secrecy policy.
  3. npm run demo:attack: the whole attack in filter and propagate mode, each step with its verdict.
Watch the agent's labels at http://127.0.0.1:3000/reflect (same Authorization header) and the guards at
/health. Ctrl-C stops.

`);
process.exitCode = await main([process.execPath, "flowgate", "--config", "demo/flowgate.toml"]);
