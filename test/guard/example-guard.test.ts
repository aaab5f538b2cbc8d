// The AssemblyScript example guard against a real MCP server: its call_backend requests go
// through the SDK client to server-everything's `echo` tool.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtGuardPath } from "../support/guards.ts";
import { loadWasmGuard } from "../../src/guard/index.ts";
import type { BackendCaller, Guard } from "../../src/guard/index.ts";
import { memoryLogger } from "./helpers.ts";

const logger = memoryLogger();
let client: Client;
let guard: Guard;
let backend: BackendCaller;
const toolCalls: string[] = [];

beforeAll(async () => {
  client = new Client({ name: "flowgate-guard-test", version: "0" });
  await client.connect(
    new StdioClientTransport({ command: join(process.cwd(), "node_modules/.bin/mcp-server-everything"), args: ["stdio"], stderr: "ignore" }),
  );
  backend = async (name, args, signal) => {
    toolCalls.push(name);
    return client.callTool({ name, arguments: args as Record<string, unknown> }, undefined, { signal });
  };
  guard = await loadWasmGuard(builtGuardPath("echo-labels"), { name: "everything", logger });
}, 60_000);

afterAll(async () => {
  await guard?.close();
  await client?.close();
});

describe("the example guard with a real backend", () => {
  it.each([
    ["read_notes", { folder: "private" }, ["private:echo"], "read"],
    ["read_notes", { folder: "shared" }, [], "read"],
    ["write_note", { text: "hi" }, [], "write"],
  ])("labels %s %j through call_backend", async (tool, args, secrecy, operation) => {
    await expect(guard.labelResource(tool, args, { backend })).resolves.toEqual({
      description: `echo:${tool}`,
      secrecy,
      integrity: ["approved"],
      operation,
    });
  });

  it("logs through host_log, tagged with the guard name", async () => {
    await guard.labelAgent({ "allow-only": { repos: "public", "min-integrity": "approved" } }, { backend });
    expect(logger.lines).toContainEqual({
      level: "info",
      guard: "everything",
      message: 'policy received: {"allow-only":{"min-integrity":"approved","repos":"public"}}',
    });
    expect(logger.lines.some((l) => l.level === "debug" && l.message.includes("call_backend buffer too small, retrying with"))).toBe(true);
    expect(toolCalls.every((name) => name === "echo")).toBe(true);
  });

  it("returns the guard's label_response object", async () => {
    await expect(guard.labelResponse("read_notes", { content: [] }, {}, { backend })).resolves.toEqual({
      labeled_paths: [],
      default_labels: { description: "echo response", secrecy: [], integrity: ["approved"] },
    });
  });
});
