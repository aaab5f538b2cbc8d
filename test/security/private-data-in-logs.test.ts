// Attack: read the log directory (a CI artifact anyone may download) instead of the agent's
// answers. A refused read of private/salaries.md still reaches the backend in filter mode, and
// an agent that was allowed to read it (propagate mode) carries it in its later arguments; the
// salary table must reach no log file by default, only a redaction record that identifies it.
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { beforeAll, describe, expect, it } from "vitest";
import { startDemoGateway } from "../../demo/attack.ts";
import type { GuardsMode } from "../../src/config/types.ts";
import { POLICY_DENIED } from "../../src/enforce/index.ts";
import type { LogPayloads } from "../../src/log/types.ts";

const SALARY_FIGURES = ["182,000", "164,500"];

interface LoggedRun {
  logDir: string;
  /** Every file of the log directory, by name. */
  files: Map<string, string>;
}

/** Plays `calls` against the demo's files server as the demo agent, then reads back every log file. */
async function run(mode: GuardsMode, logPayloads: LogPayloads | undefined, calls: (files: Client, workspace: string) => Promise<void>): Promise<LoggedRun> {
  const scratch = await mkdtemp(join(tmpdir(), `flowgate-private-logs-${mode}-`));
  const demo = await startDemoGateway(mode, scratch, logPayloads ? { logPayloads } : {});
  try {
    const files = await demo.connect("files");
    try {
      await calls(files, demo.workspace);
    } finally {
      await files.close();
    }
  } finally {
    await demo.close();
  }
  const names = await readdir(demo.logDir);
  const contents = await Promise.all(names.map((name) => readFile(join(demo.logDir, name), "utf8")));
  return { logDir: demo.logDir, files: new Map(names.map((name, i) => [name, contents[i]!])) };
}

/** Lists private/ (both entries hidden, the call filtered), then reads private/salaries.md (refused). */
async function refusedRead(files: Client, workspace: string): Promise<void> {
  const listing = await files.callTool({ name: "list_directory", arguments: { path: join(workspace, "private") } });
  expect(JSON.stringify(listing.content)).toContain("[Filtered] 2 item(s)");
  const refusal = await files
    .callTool({ name: "read_text_file", arguments: { path: join(workspace, "private/salaries.md") } })
    .catch((error: unknown) => error);
  expect(refusal).toBeInstanceOf(McpError);
  expect((refusal as McpError).code).toBe(POLICY_DENIED);
}

/** Files of the log directory that hold any of `needles`, with the ones they hold. */
function holding(logged: LoggedRun, needles: readonly string[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const [name, text] of logged.files) {
    const held = needles.filter((needle) => text.includes(needle));
    if (held.length > 0) found[name] = held;
  }
  return found;
}

/** The payload text of each files-server response in rpc-messages.jsonl, exactly as written. */
function responsePayloads(logged: LoggedRun): string[] {
  const lines = (logged.files.get("rpc-messages.jsonl") ?? "").trim().split("\n");
  return lines
    .filter((line) => (JSON.parse(line) as Record<string, unknown>)["event"] === "rpc_response" && line.includes('"server_id":"files"'))
    .map((line) => line.slice(line.indexOf(',"payload":') + ',"payload":'.length, -1));
}

let redacted: LoggedRun;
let full: LoggedRun;
let tainted: LoggedRun;

beforeAll(async () => {
  redacted = await run("filter", undefined, refusedRead);
  full = await run("filter", "all", refusedRead);
  // Propagate mode: the read is allowed and taints the agent, which then writes what it read (to a private file, which its labels allow).
  tainted = await run("propagate", undefined, async (files, workspace) => {
    const read = await files.callTool({ name: "read_text_file", arguments: { path: join(workspace, "private/salaries.md") } });
    const text = (read.content as Array<{ text: string }>)[0]!.text;
    expect(text).toContain(SALARY_FIGURES[0]);
    const written = await files.callTool({ name: "write_file", arguments: { path: join(workspace, "private/copy.md"), content: text } });
    expect(written.isError).not.toBe(true);
  });
});

describe("private data in log files", () => {
  it("writes the refused read's answer, and the filtered listing's hidden names, to no log file by default", () => {
    expect([...redacted.files.keys()]).toEqual(expect.arrayContaining(["files.log", "gateway.md", "mcp-gateway.log", "rpc-messages.jsonl"]));
    expect(redacted.files.get("rpc-messages.jsonl")).toContain('"event":"difc_filtered"');
    expect(holding(redacted, [...SALARY_FIGURES, "api-keys.txt"])).toEqual({});
  });

  it("logs the answer as a redaction record whose size and sha256 are those of the payload it stands for", () => {
    const redactions = responsePayloads(redacted)
      .filter((payload) => payload.startsWith('{"redacted"'))
      .map((payload) => JSON.parse(payload) as unknown);
    const fullReads = responsePayloads(full).filter((payload) => payload.includes(SALARY_FIGURES[0]!));
    expect(fullReads).toHaveLength(1);
    const fullRead = fullReads[0]!;
    expect(redactions).toContainEqual({
      redacted: "secrecy",
      bytes: Buffer.byteLength(fullRead),
      sha256: createHash("sha256").update(fullRead).digest("hex"),
    });
    for (const file of ["mcp-gateway.log", "gateway.md"]) expect(redacted.files.get(file)).toContain('"redacted":"secrecy"');
  });

  it("logs the answer whole with --log-payloads all, as the reference does", () => {
    expect(holding(full, [...SALARY_FIGURES, "api-keys.txt"])).toEqual({
      "gateway.md": [...SALARY_FIGURES, "api-keys.txt"],
      "mcp-gateway.log": [...SALARY_FIGURES, "api-keys.txt"],
      "rpc-messages.jsonl": [...SALARY_FIGURES, "api-keys.txt"],
    });
  });

  it("writes neither the allowed secret read nor the arguments of the agent that holds it to any log file", () => {
    const records = (tainted.files.get("rpc-messages.jsonl") ?? "")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const calls = records.filter((record) => record["event"] === "rpc_request" && record["method"] === "tools/call").map((record) => record["payload"]);
    // The read's arguments are logged (the agent held nothing yet); the write's, made after it, are not.
    // (Before them, the guard asked the server for its root.)
    expect(calls.slice(-2)).toEqual([
      expect.objectContaining({ params: expect.objectContaining({ name: "read_text_file" }) }),
      { redacted: "secrecy", bytes: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    expect(holding(tainted, SALARY_FIGURES)).toEqual({});
  });

  it("creates the log directory 0700 and every log file in it 0600", async () => {
    expect((await stat(redacted.logDir)).mode & 0o777).toBe(0o700);
    const modes = await Promise.all([...redacted.files.keys()].map(async (name) => [name, (await stat(join(redacted.logDir, name))).mode & 0o777]));
    expect(modes.filter(([, mode]) => mode !== 0o600)).toEqual([]);
    expect(modes.length).toBeGreaterThanOrEqual(5);
  });
});
