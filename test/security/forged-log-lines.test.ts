// Attack: an agent calls a tool, and asks for a prompt, whose name carries line breaks, NUL, a
// backtick and HTML; the backend echoes the name back in its answer (an error result for the
// tool, a JSON-RPC error for the prompt). Each log file must keep the name inside one field of
// one record: no forged line in the text logs, no record of its own in the JSONL, and no Markdown
// or HTML of its own in gateway.md.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { beforeAll, describe, expect, it } from "vitest";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

const FORGED_LINE = "[2001-01-01T00:00:00.000Z] [ERROR] [auth] forged";
const FORGED_NAME = `x\n${FORGED_LINE}\r\n${FORGED_LINE}\u0000 \` </details> <img src=x onerror=alert(1)>\n\`\`\`\n- ✗ **auth** forged entry`;

const runtime = runtimeOptions();
const read = (name: string) => readFileSync(join(runtime.logDir, name), "utf8");

let backendErrors: string[] = [];

beforeAll(async () => {
  const gateway = await runGateway(gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT, { args: [EVERYTHING_SCRIPT, "stdio"] })]), runtime, {
    fileLogs: true,
    enforcement: undefined,
  });
  const client = await connectAgent(gateway.entry("everything"));
  try {
    await client.listTools();
    const toolAnswer = await client.callTool({ name: FORGED_NAME, arguments: {} });
    await client.listPrompts();
    const promptError = await client.getPrompt({ name: FORGED_NAME }).then(
      () => new Error("the backend served a prompt it does not have"),
      (error: unknown) => error,
    );
    backendErrors = [JSON.stringify(toolAnswer), promptError instanceof McpError ? promptError.message : String(promptError)];
  } finally {
    await client.close();
    expect(await gateway.stop()).toBe(0);
  }
});

/** gateway.md as Markdown renders it into markup: outside fenced blocks and code spans, escaped characters taken out. */
function markupOutsideCode(markdown: string): string {
  const kept: string[] = [];
  let fence = 0;
  for (const line of markdown.split("\n")) {
    const run = /^\s*(`{3,})/.exec(line)?.[1]?.length ?? 0;
    if (fence > 0) {
      if (run >= fence && /^\s*`+\s*$/.test(line)) fence = 0;
      continue;
    }
    if (run > 0) {
      fence = run;
      continue;
    }
    kept.push(line.replace(/(?<![`\\])(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, "").replace(/\\[!-/:-@[-`{-~]/g, ""));
  }
  return kept.join("\n");
}

describe("forged log lines", () => {
  it("reaches the backend and comes back quoted in its errors", () => {
    expect(backendErrors).toEqual([expect.stringContaining('"isError":true'), expect.stringContaining("forged entry")]);
    expect(backendErrors.every((error) => error.includes("forged entry"))).toBe(true);
  });

  // <serverID>.log has the same format (one formatter writes both).
  it("keeps every line of mcp-gateway.log a record of its own", () => {
    const text = read("mcp-gateway.log");
    expect(text).not.toContain("\u0000");
    expect(text).not.toContain("\r");
    const lines = text.split("\n").slice(0, -1);
    for (const line of lines) expect(line).toMatch(/^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] \[(?:DEBUG|INFO|WARN|ERROR)\] \[[^\]]*\] /);
    expect(lines.filter((line) => line.startsWith(FORGED_LINE))).toEqual([]);
    // The backend's JSON-RPC error was logged, the name escaped on the line of the record that carries it.
    expect(lines.filter((line) => line.includes(String.raw`err:MCP error -32602: Prompt x\n${FORGED_LINE}\r\n${FORGED_LINE}\u0000`))).toHaveLength(1);
  });

  it("keeps the name inside its record in rpc-messages.jsonl", () => {
    const records = read("rpc-messages.jsonl")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const calls = records.filter((record) => record["method"] === "tools/call" || record["method"] === "prompts/get");
    expect(calls.map((record) => (record["payload"] as { params: { name: string } }).params.name)).toEqual([FORGED_NAME, FORGED_NAME]);
    expect(records.filter((record) => typeof record["error"] === "string" && record["error"].includes(FORGED_NAME))).toHaveLength(1);
  });

  it("keeps the name in code in gateway.md, where it can neither close the summary's <details> nor add an entry", () => {
    const markdown = read("gateway.md");
    expect(markdown).not.toContain("\u0000");
    expect(markdown).toMatch(/^<details>\n<summary>MCP Gateway<\/summary>\n\n/);
    expect(markdown.endsWith("\n</details>\n")).toBe(true);
    const body = markdown.slice("<details>\n<summary>MCP Gateway</summary>\n\n".length, -"\n</details>\n".length);
    const markup = markupOutsideCode(body);
    expect(markup).not.toContain("<");
    expect(markup).not.toContain("forged");
    expect(body.split("\n").filter((line) => line !== "" && !line.startsWith("- ") && !line.startsWith("  "))).toEqual([]);
    // Both calls were logged.
    expect(body).toContain("rpc **everything** → `tools/call`");
    expect(body).toContain("rpc **everything** → `prompts/get`");
  });
});
