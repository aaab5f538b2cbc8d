// Attack: an agent that read a secret (allowed in propagate mode) spells it out where the
// gateway logs it rather than where it is sent: as the name of a tool the sink refuses, as a
// method name, or as a path the backend's error echoes back ("ENOENT … open '…/notes/<secret>'").
// The log directory (a CI artifact) must hold the secret nowhere.
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoGateway, type DemoGateway } from "../../demo/attack.ts";

// The demo's fake API key, in demo/workspace/private/api-keys.txt.
const SECRET = "demo-sk-4f8a1c2e9b7d";

interface Attack {
  name: string;
  server: "files" | "memory";
  send: (client: Client, workspace: string) => Promise<unknown>;
}

const ATTACKS: Attack[] = [
  { name: "a refused tool named after the secret", server: "memory", send: (memory) => memory.callTool({ name: SECRET, arguments: {} }) },
  { name: "a refused method named after the secret", server: "memory", send: (memory) => memory.request({ method: `x/${SECRET}`, params: {} }, ResultSchema) },
  {
    name: "a method named after the secret, to the server the secret came from",
    server: "files",
    send: (files) => files.request({ method: `x/${SECRET}`, params: {} }, ResultSchema),
  },
  {
    name: "a read whose error echoes the path",
    server: "files",
    send: (files, workspace) => files.callTool({ name: "read_text_file", arguments: { path: join(workspace, "notes", SECRET) } }),
  },
  {
    name: "a listing whose error echoes the path",
    server: "files",
    send: (files, workspace) => files.callTool({ name: "list_directory", arguments: { path: join(workspace, SECRET) } }),
  },
];

let demo: DemoGateway;
let clients: Record<Attack["server"], Client>;

beforeAll(async () => {
  demo = await startDemoGateway("propagate", await mkdtemp(join(tmpdir(), "flowgate-tainted-names-")));
  clients = { files: await demo.connect("files"), memory: await demo.connect("memory") };
  const read = await clients.files.callTool({ name: "read_text_file", arguments: { path: join(demo.workspace, "private/api-keys.txt") } });
  expect(JSON.stringify(read.content)).toContain(SECRET);
});

afterAll(async () => {
  await Promise.all(Object.values(clients ?? {}).map((client) => client.close()));
  await demo?.close();
});

async function logFilesHolding(needle: string): Promise<string[]> {
  await demo.close();
  const names = await readdir(demo.logDir);
  const texts = await Promise.all(names.map((name) => readFile(join(demo.logDir, name), "utf8")));
  return names.filter((_, i) => texts[i]!.includes(needle));
}

describe("a tainted agent's secret in names and echoed arguments", () => {
  it.each(ATTACKS)("$name reaches the agent's own answer but no log file", async ({ server, send }) => {
    const answer = await send(clients[server], demo.workspace).catch((error: unknown) => error);
    // The agent itself may see what it sent (it holds the secret already).
    expect(String(answer instanceof Error ? answer.message : JSON.stringify(answer))).toContain(SECRET);
  });

  it("writes the secret to no log file, and a redaction marker in the refusal's line", async () => {
    // Runs after the table: closing the gateway flushes every file.
    expect(await logFilesHolding(SECRET)).toEqual([]);
    const unified = await readFile(join(demo.logDir, "mcp-gateway.log"), "utf8");
    expect(unified).toMatch(/Access DENIED for agent \S+ to \(redacted: secrecy, sha256 [0-9a-f]{16}\): .*'\(redacted: secrecy, sha256 [0-9a-f]{16}\)'/);
  });
});
