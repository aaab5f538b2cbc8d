import { execFile } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { type FileLogger, openFileLogger } from "../../src/log/file-logger.ts";
import { formatConsoleLine } from "../../src/log/line-format.ts";

const AT = new Date(Date.UTC(2026, 10, 25, 12, 0, 0, 42));
const TS = "2026-11-25T12:00:00.042Z";

const openLoggers: FileLogger[] = [];
afterEach(async () => {
  await Promise.all(openLoggers.splice(0).map((logger) => logger.close()));
});

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), "flowgate-logs-"));
}

function start(dir: string, secrets: string[] = []) {
  const stderr: string[] = [];
  const logger = openFileLogger({ dir, stderr: (text) => void stderr.push(text), now: () => AT, secrets });
  openLoggers.push(logger);
  return { logger, stderr };
}

const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");

describe("the file logger", () => {
  it("writes every file in the reference's format", async () => {
    const dir = freshDir();
    const { logger, stderr } = start(dir);
    logger.log("info", "startup", "Starting MCPG", { markdown: true });
    logger.server("s1", "warn", "backend", "[stderr] boot noise");
    logger.rpc({ event: "rpc_request", serverId: "s1", method: "tools/call", payload: { name: "echo", arguments: { text: "hi" } } });
    logger.rpc({ event: "rpc_response", serverId: "s1", payload: { content: [] }, id: 2 });
    logger.difcFiltered({ serverId: "s1", toolName: "echo", description: "item", reason: "secrecy", secrecyTags: ["private"], integrityTags: [] });
    logger.tools("s1", [{ name: "echo", description: "Echoes" }, { name: "add" }]);
    await logger.close();

    const request = '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}';
    const response = '{"jsonrpc":"2.0","id":2,"result":{"content":[]}}';
    const difc = '{"server_id":"s1","tool_name":"echo","description":"item","reason":"secrecy","secrecy_tags":["private"],"integrity_tags":[]}';
    expect(read(dir, "mcp-gateway.log")).toBe(
      [
        `[${TS}] [INFO] [startup] Starting MCPG`,
        `[${TS}] [WARN] [backend] [s1] [stderr] boot noise`,
        `[${TS}] [DEBUG] [rpc] s1→tools/call ${request.length}b ${request}`,
        `[${TS}] [DEBUG] [rpc] s1←resp ${response.length}b ${response}`,
        `[${TS}] [INFO] [difc] [s1] [DIFC-FILTERED] ${difc}`,
        "",
      ].join("\n"),
    );
    expect(read(dir, "s1.log")).toBe([`[${TS}] [WARN] [backend] [stderr] boot noise`, `[${TS}] [INFO] [difc] [DIFC-FILTERED] ${difc}`, ""].join("\n"));
    expect(read(dir, "gateway.md")).toBe(
      [
        "<details>",
        "<summary>MCP Gateway</summary>",
        "",
        "- ✓ **startup** Starting MCPG",
        "- 🔍 rpc **s1** → `tools/call` `echo`",
        "  ",
        "  ```json",
        '  {"params":{"name":"echo","arguments":{"text":"hi"}}}',
        "  ```",
        "- 🔍 rpc **s1** ← `resp`",
        "  ",
        "  ```json",
        '  {"id":2,"result":{"content":[]}}',
        "  ```",
        "",
        "</details>",
        "",
      ].join("\n"),
    );
    expect(read(dir, "rpc-messages.jsonl")).toBe(
      [
        `{"timestamp":"${TS}","event":"rpc_request","_schema":"rpc-message/v2","direction":"OUT","server_id":"s1","method":"tools/call","payload":${request}}`,
        `{"timestamp":"${TS}","event":"rpc_response","_schema":"rpc-message/v2","direction":"IN","server_id":"s1","payload":${response}}`,
        `{"timestamp":"${TS}","event":"difc_filtered","_schema":"difc-filtered/v2",${difc.slice(1)}`,
        "",
      ].join("\n"),
    );
    expect(read(dir, "tools.json")).toBe(
      '{\n  "servers": {\n    "s1": [\n      {\n        "name": "echo",\n        "description": "Echoes"\n      },\n' +
        '      {\n        "name": "add",\n        "description": ""\n      }\n    ]\n  }\n}',
    );
    expect(stderr).toEqual([
      formatConsoleLine(AT, `Logging to file: ${join(dir, "mcp-gateway.log")}`),
      formatConsoleLine(AT, `Initialized per-serverID logging in directory: ${dir}`),
      formatConsoleLine(AT, `Tools logging to file: ${join(dir, "tools.json")}`),
      formatConsoleLine(AT, `Observed URL domains logging to file: ${join(dir, "observed-url-domains.json")}`),
    ]);
  });

  it.each([
    ["mcp-gateway.log", 0o600],
    ["rpc-messages.jsonl", 0o600],
    ["gateway.md", 0o600],
    ["tools.json", 0o600],
    ["observed-url-domains.json", 0o600],
  ])("creates %s with mode %o, and narrows one an earlier run left wider", async (name, mode) => {
    const dir = freshDir();
    const { logger } = start(dir);
    await logger.close();
    expect(statSync(join(dir, name)).mode & 0o777).toBe(mode);
    chmodSync(join(dir, name), 0o644);
    await start(dir).logger.close();
    expect(statSync(join(dir, name)).mode & 0o777).toBe(mode);
  });

  it("builds rpc and difc_filtered records after the call's answer yet keeps each one's time and place among the other records", async () => {
    const dir = freshDir();
    let now = AT;
    const logger = openFileLogger({ dir, stderr: () => undefined, now: () => now });
    openLoggers.push(logger);
    logger.rpc({ event: "rpc_request", serverId: "s1", method: "tools/call", payload: { name: "echo" } });
    now = new Date(AT.getTime() + 1000);
    logger.log("info", "client", "logged after the request");
    logger.rpc({ event: "rpc_response", serverId: "s1", payload: { content: [] }, id: 2 });
    logger.difcFiltered({ serverId: "s1", toolName: "echo", description: "item", reason: "secrecy", secrecyTags: ["private"], integrityTags: [] });
    now = new Date(AT.getTime() + 2000);
    logger.server("s1", "warn", "backend", "logged after the filtered item");
    await logger.flush();

    const later = "2026-11-25T12:00:01.042Z";
    const last = "2026-11-25T12:00:02.042Z";
    expect(
      read(dir, "mcp-gateway.log")
        .split("\n")
        .map((line) => line.replace(/ \d+b \{.*$/, "").replace(/ \{.*$/, "")),
    ).toEqual([
      `[${TS}] [DEBUG] [rpc] s1→tools/call`,
      `[${later}] [INFO] [client] logged after the request`,
      `[${later}] [DEBUG] [rpc] s1←resp`,
      `[${later}] [INFO] [difc] [s1] [DIFC-FILTERED]`,
      `[${last}] [WARN] [backend] [s1] logged after the filtered item`,
      "",
    ]);
    expect(
      read(dir, "rpc-messages.jsonl")
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as { timestamp: string; event: string })
        .map(({ timestamp, event }) => `${timestamp} ${event}`),
    ).toEqual([`${TS} rpc_request`, `${later} rpc_response`, `${later} difc_filtered`]);
  });

  it("creates a missing log directory 0700", async () => {
    const dir = join(freshDir(), "logs", "run");
    await start(dir).logger.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("appends to the text and JSONL logs across runs but starts gateway.md and tools.json afresh", async () => {
    const dir = freshDir();
    for (const run of ["first", "second"]) {
      const { logger } = start(dir);
      logger.log("info", "startup", `${run} run`, { markdown: true });
      logger.rpc({ event: "rpc_request", serverId: "s1", method: run, payload: {} });
      if (run === "first") logger.tools("s1", [{ name: "echo" }]);
      await logger.close();
    }
    expect(read(dir, "mcp-gateway.log")).toMatch(/first run\n.*\n.*second run\n/);
    expect(read(dir, "rpc-messages.jsonl").trim().split("\n")).toHaveLength(2);
    expect(read(dir, "gateway.md")).not.toContain("first run");
    expect(read(dir, "gateway.md")).toContain("second run");
    expect(read(dir, "tools.json")).toBe("");
  });

  it("leaves gateway.md empty when nothing was written to it", async () => {
    const dir = freshDir();
    const { logger } = start(dir);
    logger.log("info", "startup", "text log only");
    await logger.close();
    expect(read(dir, "gateway.md")).toBe("");
  });

  it("creates a server's log only when it first logs, and never for an id that is not a plain file name", async () => {
    const dir = freshDir();
    const { logger } = start(dir);
    await logger.flush();
    expect(existsSync(join(dir, "s1.log"))).toBe(false);
    logger.server("s1", "info", "backend", "hello");
    logger.server("../escape", "info", "backend", "sneaky");
    await logger.close();
    expect(read(dir, "s1.log")).toBe(`[${TS}] [INFO] [backend] hello\n`);
    expect(readdirSync(dir).sort()).toEqual(["gateway.md", "mcp-gateway.log", "observed-url-domains.json", "rpc-messages.jsonl", "s1.log", "tools.json"]);
    expect(read(dir, "mcp-gateway.log")).toContain("[backend] [../escape] sneaky\n");
  });

  it("falls back to stderr without throwing when the log directory cannot be created", async () => {
    const parent = freshDir();
    writeFileSync(join(parent, "file"), "not a directory");
    const dir = join(parent, "file", "logs");
    const { logger, stderr } = start(dir);
    logger.log("error", "startup", "still reported", { markdown: true });
    logger.server("s1", "info", "backend", "mirrored");
    logger.rpc({ event: "rpc_request", serverId: "s1", method: "tools/list", payload: undefined });
    logger.tools("s1", [{ name: "echo" }]);
    await logger.close();
    const text = stderr.join("");
    expect(text).toContain("WARNING: Failed to initialize log file: ");
    expect(text).toContain("WARNING: Falling back to stderr for logging\n");
    expect(text).toContain("Warning: Failed to initialize JSONL logger: ");
    expect(text).toContain("Warning: Failed to initialize tools logger: ");
    expect(text).toContain(`[${TS}] [ERROR] [startup] still reported\n`);
    expect(text).toContain(`[${TS}] [INFO] [backend] [s1] mirrored\n`);
    expect(text).toContain(`[${TS}] [DEBUG] [rpc] s1→tools/list`);
    expect(existsSync(dir)).toBe(false);
  });

  it("rewrites tools.json atomically: a reader of the old file still sees the whole old catalogue", async () => {
    const dir = freshDir();
    const { logger } = start(dir);
    const path = join(dir, "tools.json");
    expect(read(dir, "tools.json")).toBe("");
    logger.tools("zeta", [{ name: "one", description: "first" }]);
    await logger.flush();
    const before = read(dir, "tools.json");
    const oldFile = openSync(path, "r");
    try {
      logger.tools("alpha", [{ name: "two", description: "second" }]);
      logger.tools("zeta", [{ name: "three", description: "replaced" }]);
      await logger.flush();
      expect(readFileSync(oldFile, "utf8")).toBe(before);
    } finally {
      closeSync(oldFile);
    }
    expect(JSON.parse(read(dir, "tools.json"))).toEqual({
      servers: { alpha: [{ name: "two", description: "second" }], zeta: [{ name: "three", description: "replaced" }] },
    });
    expect(Object.keys(JSON.parse(read(dir, "tools.json")).servers)).toEqual(["alpha", "zeta"]);
    expect(readdirSync(dir)).not.toContain("tools.json.tmp");
  });

  it("never writes a secret to any file", async () => {
    const dir = freshDir();
    const agentId = "agent-id-7f3c";
    const pat = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
    const { logger } = start(dir, [agentId]);
    logger.addSecret("late-secret-value");
    logger.log("warn", "auth", `rejected Authorization: ${agentId}`, { markdown: true });
    logger.log("info", "startup", "env GITHUB_TOKEN=late-secret-value", { markdown: true });
    logger.server("gh", "info", "backend", `[stderr] using token ${pat}`);
    logger.rpc({ event: "rpc_request", serverId: "gh", method: "tools/call", payload: { name: "x", arguments: { api_key: "k", q: pat } } });
    logger.rpc({ event: "rpc_response", serverId: "gh", payload: `{"jsonrpc":"2.0","id":1,"result":"Bearer ${agentId}"}` });
    await logger.close();
    for (const name of readdirSync(dir)) {
      const content = read(dir, name);
      for (const secret of [agentId, pat, "late-secret-value", '"k"']) expect(content, `${name} leaks ${secret}`).not.toContain(secret);
    }
    expect(read(dir, "mcp-gateway.log")).toContain("[REDACTED]");
  });

  it("flushes queued lines and ends gateway.md when the process exits without closing the logger", async () => {
    const dir = freshDir();
    const module = new URL("../../src/log/file-logger.ts", import.meta.url).pathname;
    const script = [
      `import { openFileLogger } from ${JSON.stringify(module)};`,
      `const logger = openFileLogger({ dir: ${JSON.stringify(dir)}, stderr: () => {} });`,
      "for (let i = 0; i < 1000; i++) logger.log('info', 'startup', 'line ' + i);",
      "logger.log('info', 'startup', 'summary', { markdown: true });",
      "process.exit(3);",
    ].join("\n");
    await expect(promisify(execFile)(process.execPath, ["--input-type=module", "-e", script])).rejects.toMatchObject({ code: 3 });
    expect(read(dir, "gateway.md")).toBe("<details>\n<summary>MCP Gateway</summary>\n\n- ✓ **startup** summary\n\n</details>\n");
    const numbers = read(dir, "mcp-gateway.log")
      .trim()
      .split("\n")
      .slice(0, -1)
      .map((line) => Number(/line (\d+)$/.exec(line)?.[1]));
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
