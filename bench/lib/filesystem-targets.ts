// The filesystem configurations: server-filesystem over a small workspace, directly (its floor)
// and behind flowgate with the reference filesystem guard in filter mode, as demo/flowgate.toml
// runs it. Both read the same ~1 KB file in a public, trusted folder.
import { mkdir, mkdtemp, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { flowgateTarget, type Target } from "./targets.ts";
import { readFileWorkload } from "./workloads.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const filesystemServer = join(root, "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
const filesystemGuard = join(root, "guards/filesystem/build/filesystem.wasm");

/** A served folder with a public note (the file read) and a private folder (so the guard has work). */
async function createWorkspace(): Promise<{ dir: string; note: string }> {
  // The server resolves its folder's real path; the guard learns it from the server.
  const dir = await realpath(await mkdtemp(join(tmpdir(), "flowgate-bench-fs-")));
  await mkdir(join(dir, "notes"));
  await mkdir(join(dir, "private"));
  const note = join(dir, "notes", "note.md");
  await writeFile(note, `# A note\n\n${"Public text, one kilobyte of it. ".repeat(31)}\n`, { mode: 0o644 });
  await writeFile(join(dir, "private", "secret.md"), "not for the agent\n", { mode: 0o644 });
  return { dir, note };
}

/** direct-fs and flowgate+fs-guard over one fresh workspace. */
export async function filesystemTargets(): Promise<Target[]> {
  const { dir, note } = await createWorkspace();
  const workload = readFileWorkload(note);
  const directFs: Target = {
    name: "direct-fs",
    description: "SDK client to server-filesystem over stdio (the floor for read_text_file)",
    workload,
    async start() {
      return {
        async connect() {
          const client = new Client({ name: "flowgate-bench", version: "1.0.0" });
          await client.connect(new StdioClientTransport({ command: process.execPath, args: [filesystemServer, dir], stderr: "ignore" }));
          return client;
        },
        async stop() {},
      };
    },
  };
  const flowgateFs = flowgateTarget({
    name: "flowgate+fs-guard",
    description:
      "flowgate routed, reference filesystem guard (AssemblyScript) in filter mode in front of server-filesystem over stdio; each read also costs the guard's get_file_info call_backend",
    serverId: "files",
    workload,
    configToml: ({ node }) => `[gateway]
agent_id = "bench-agent"

[servers.files]
command = ${JSON.stringify(node)}
args = [${JSON.stringify(filesystemServer)}, ${JSON.stringify(dir)}]
guard = "files"

[guards.files]
type = "wasm"
path = ${JSON.stringify(filesystemGuard)}

[guards.files.config]
fs-scope = "bench"
fs-private = ["private"]
fs-mode = "filter"

[guards.files.policy.allow-only]
repos = "all"
min-integrity = "approved"
`,
  });
  return [directFs, flowgateFs];
}
