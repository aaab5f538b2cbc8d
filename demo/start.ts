// npm start: builds the filesystem guard if its sources changed, says what the demo is and what
// to try (on stderr: the gateway's stdout carries only its client configuration document), then
// runs flowgate on demo/flowgate.toml, all in one process so the demo is up quickly.
// `npm start -- --port N` serves on 127.0.0.1:N; any other argument (`--log-dir D`, `-v`) is
// passed to flowgate as it is.
import { buildGuards } from "../scripts/build-guards.ts";
import { main } from "../src/cli/main.ts";

const DEFAULT_PORT = "3000";
const CONFIG = "demo/flowgate.toml";
// The same as the config's agent_id: what every command below sends.
const API_KEY = "demo-agent";

/** `--port N` (or `--port=N`) taken out of the arguments; the rest goes to flowgate. */
function splitPort(args: string[]): { port: string; rest: string[] } {
  const rest: string[] = [];
  let port = DEFAULT_PORT;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--port") port = args[++i] ?? "";
    else if (arg.startsWith("--port=")) port = arg.slice("--port=".length);
    else rest.push(arg);
  }
  // Port 0 is refused: the commands printed below must name the port the gateway will serve on.
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    process.stderr.write(`npm start: --port expects a port number from 1 to 65535, got "${port}"\n`);
    process.exit(1);
  }
  return { port, rest };
}

const { port, rest } = splitPort(process.argv.slice(2));
const base = `http://127.0.0.1:${port}`;
// Paste-ready: one POST each, which flowgate answers without a prior initialize (as the reference
// does for clients that skip it); paths are relative to the folder server-filesystem serves.
const call = (server: string, tool: string, args: Record<string, string>) =>
  `curl -s ${base}/mcp/${server} -H "Authorization: ${API_KEY}" -H "Content-Type: application/json" -H "Accept: application/json, text/event-stream" ` +
  `-d '${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: tool, arguments: args } })}'`;

await buildGuards(["filesystem"]);
process.stderr.write(`flowgate demo: server-filesystem over demo/workspace behind the filesystem guard, and
server-memory as a public write sink, in guards mode filter. Config: ${CONFIG}.

Connect an MCP client (streamable HTTP) to the URLs in the JSON document on stdout, with the header
"Authorization: ${API_KEY}". Things to try, from another terminal in this folder:
  1. the files server's tools, with the MCP Inspector:
       npx @modelcontextprotocol/inspector --cli ${base}/mcp/files --transport http --header "Authorization: ${API_KEY}" --method tools/list
  2. list the workspace: private/ and inbox/ are hidden, with a [Filtered] notice:
       ${call("files", "list_directory", { path: "." })}
  3. read a private file: refused by the secrecy policy:
       ${call("files", "read_text_file", { path: "private/salaries.md" })}
  4. the agent's labels and the mode (with the same header), then each server's guard:
       curl -s ${base}/reflect -H "Authorization: ${API_KEY}"
       curl -s ${base}/health
  5. the whole attack in filter and propagate mode, each step with its verdict:
       npm run demo:attack
  6. the servers, the agent's labels and each decision as it happens, in a browser (it asks for the key, ${API_KEY}):
       ${base}/ui
Ctrl-C stops.

`);
process.exitCode = await main([process.execPath, "flowgate", "--config", CONFIG, "--listen", `127.0.0.1:${port}`, ...rest]);
