// The official SDK client, used as real clients use it (listTools, then callTool), against the
// demo: server-filesystem behind the filesystem guard and server-memory as a public write sink.
// Every call the demo policy allows is compared with the same call made to the server directly.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoConfig } from "../../demo/attack.ts";
import { createGateway } from "../../src/gateway/index.ts";
import { runtimeOptions } from "../support/gateway.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

let scratch = "";
let workspace = "";
let running: Awaited<ReturnType<typeof createGateway>>;
const through: Record<string, Client> = {};
const direct: Record<string, Client> = {};
const listedThrough: Record<string, Tool[]> = {};
const listedDirect: Record<string, Tool[]> = {};

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "flowgate-schema-clients-"));
  const demo = await demoConfig("filter", scratch);
  workspace = demo.workspace;
  running = await createGateway(demo.config, runtimeOptions({ guardsMode: "filter" }), {
    io: { out: () => undefined, err: () => undefined },
    env: {},
    version: "test",
    logger: new RecordingLogger(),
  });
  for (const server of demo.config.servers) {
    if (server.type !== "stdio") continue;
    const gatewayClient = new Client({ name: "schema-client", version: "1.0.0" });
    await gatewayClient.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${running.port}/mcp/${server.id}`), {
        requestInit: { headers: { Authorization: running.agentId } },
      }),
    );
    const directClient = new Client({ name: "schema-client", version: "1.0.0" });
    await directClient.connect(new StdioClientTransport({ command: server.command, args: server.args, env: { ...server.env }, stderr: "ignore" }));
    through[server.id] = gatewayClient;
    direct[server.id] = directClient;
    listedThrough[server.id] = (await gatewayClient.listTools()).tools;
    listedDirect[server.id] = (await directClient.listTools()).tools;
  }
});

afterAll(async () => {
  await Promise.all([...Object.values(through), ...Object.values(direct)].map((client) => client.close()));
  await running?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Lines naming the folders the demo policy hides from the agent (private/: secret, inbox/: untrusted). */
const HIDDEN = /\b(private|inbox)\b/;

/** What the agent sees of a listing the guard splits into lines: the direct answer's visible lines. */
function visibleLines(result: CallToolResult): string[] {
  const text = result.content.map((item) => (item.type === "text" ? item.text : "")).join("");
  return text.split("\n").filter((line) => line !== "" && !HIDDEN.test(line) && !line.startsWith("Total:") && !line.startsWith("Combined size:"));
}

function textOf(result: CallToolResult, index: number): string {
  const item = result.content[index];
  return item?.type === "text" ? item.text : "";
}

describe("real clients after listTools, through the demo", () => {
  it("lists the guarded server's tools without output schemas and the unguarded server's with them", () => {
    const files = listedDirect["files"]!;
    expect(files.filter((tool) => tool.outputSchema !== undefined).length).toBeGreaterThan(10);
    expect(listedThrough["files"]!.map((tool) => tool.name)).toEqual(files.map((tool) => tool.name));
    expect(listedThrough["files"]!.filter((tool) => tool.outputSchema !== undefined)).toEqual([]);
    expect(listedThrough["memory"]!).toEqual(listedDirect["memory"]!);
    expect(listedThrough["memory"]!.some((tool) => tool.outputSchema !== undefined)).toBe(true);
  });

  // In order: the writes change the workspace for the reads after them, on both sides alike.
  const identical: [string, string, (root: string) => Record<string, unknown>][] = [
    ["files", "list_allowed_directories", () => ({})],
    ["files", "read_text_file", (root) => ({ path: join(root, "notes/launch-plan.md") })],
    ["files", "read_file", (root) => ({ path: join(root, "README.md") })],
    ["files", "read_text_file", (root) => ({ path: join(root, "README.md"), head: 2 })],
    ["files", "read_media_file", (root) => ({ path: join(root, "README.md") })],
    ["files", "read_multiple_files", (root) => ({ paths: [join(root, "README.md"), join(root, "notes/launch-plan.md")] })],
    ["files", "get_file_info", (root) => ({ path: join(root, "notes") })],
    ["files", "read_text_file", (root) => ({ path: join(root, "notes/missing.md") })],
    ["files", "create_directory", (root) => ({ path: join(root, "notes/drafts") })],
    ["files", "write_file", (root) => ({ path: join(root, "notes/drafts/a.md"), content: "draft\n" })],
    ["files", "edit_file", (root) => ({ path: join(root, "notes/drafts/a.md"), edits: [{ oldText: "draft", newText: "final" }], dryRun: true })],
    ["files", "list_directory", (root) => ({ path: join(root, "notes/drafts") })],
    ["memory", "read_graph", () => ({})],
    ["memory", "search_nodes", () => ({ query: "launch" })],
  ];

  it.each(identical)("%s %s answers as the server does directly", async (server, tool, args) => {
    const request = { name: tool, arguments: args(workspace) };
    const gatewayResult = await through[server]!.callTool(request);
    const directResult = await direct[server]!.callTool(request);
    expect(gatewayResult).toEqual(directResult);
  });

  it("answers a failed call with the backend's own result, isError and structuredContent included", async () => {
    const request = { name: "read_text_file", arguments: { path: join(workspace, "notes/missing.md") } };
    const gatewayResult = await through["files"]!.callTool(request);
    expect(gatewayResult.isError).toBe(true);
    expect(JSON.stringify(gatewayResult.content)).not.toMatch(/^\[\{"type":"text","text":"\[/);
    expect(gatewayResult).toEqual(await direct["files"]!.callTool(request));
  });

  it("moves a file as the server does directly", async () => {
    const move = (from: string, to: string) => ({ name: "move_file", arguments: { source: join(workspace, from), destination: join(workspace, to) } });
    const gatewayResult = await through["files"]!.callTool(move("notes/drafts/a.md", "notes/drafts/b.md"));
    await direct["files"]!.callTool(move("notes/drafts/b.md", "notes/drafts/a.md"));
    const directResult = await direct["files"]!.callTool(move("notes/drafts/a.md", "notes/drafts/b.md"));
    expect(gatewayResult).toEqual(directResult);
  });

  it("writes to the memory sink as the server does directly, its output schema checked by the client", async () => {
    const create = (name: string) => ({ name: "create_entities", arguments: { entities: [{ name, entityType: "note", observations: ["launch"] }] } });
    const gatewayResult = await through["memory"]!.callTool(create("via-gateway"));
    const directResult = await direct["memory"]!.callTool(create("direct"));
    expect(JSON.parse(JSON.stringify(gatewayResult).replaceAll("via-gateway", "direct"))).toEqual(directResult);
    expect(gatewayResult.structuredContent).toEqual({ entities: [{ name: "via-gateway", entityType: "note", observations: ["launch"] }] });
  });

  const listings: [string, Record<string, unknown>][] = [
    ["list_directory", { path: "." }],
    ["list_directory_with_sizes", { path: "." }],
    ["search_files", { path: ".", pattern: "**/*.md" }],
  ];

  it.each(listings)("%s shows the direct answer's lines without the hidden folders, with a notice", async (tool, args) => {
    const request = { name: tool, arguments: { ...args, path: workspace } };
    const gatewayResult = (await through["files"]!.callTool(request)) as CallToolResult;
    const directResult = (await direct["files"]!.callTool(request)) as CallToolResult;
    const shown = JSON.parse(textOf(gatewayResult, 0)) as string[];
    expect(shown).toEqual(visibleLines(directResult));
    expect(shown.length).toBeGreaterThan(0);
    expect(textOf(gatewayResult, 1)).toContain("[Filtered]");
    // server-filesystem's structuredContent holds the whole listing; where the items lie in it is unknown, so it is not sent
    expect(gatewayResult.structuredContent).toBeUndefined();
  });

  it("directory_tree shows the direct answer's top-level entries without the hidden folders", async () => {
    const request = { name: "directory_tree", arguments: { path: workspace } };
    const gatewayResult = (await through["files"]!.callTool(request)) as CallToolResult;
    const directResult = (await direct["files"]!.callTool(request)) as CallToolResult;
    const entries = JSON.parse(textOf(directResult, 0)) as { name: string }[];
    expect(JSON.parse(textOf(gatewayResult, 0))).toEqual(entries.filter((entry) => !HIDDEN.test(entry.name)));
    expect(textOf(gatewayResult, 1)).toContain("[Filtered] 2 item(s)");
    expect(gatewayResult.structuredContent).toBeUndefined();
  });
});
