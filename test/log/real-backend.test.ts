// The log files and the payload spill fed by real traffic: the official SDK client talking to
// server-everything over stdio, every JSON-RPC message logged as the gateway logs backend traffic.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spillLargePayload } from "../../src/gateway/results/large-payload.ts";
import { type FileLogger, openFileLogger } from "../../src/log/file-logger.ts";

const SERVER_ID = "everything";
const serverEntry = new URL("../../node_modules/@modelcontextprotocol/server-everything/dist/index.js", import.meta.url).pathname;

/** Logs every message both ways, as a backend connection does. */
function loggingTransport(inner: Transport, logger: FileLogger): Transport {
  const methods = new Map<string | number, string>();
  const outer: Transport = {
    start: () => inner.start(),
    close: () => inner.close(),
    send: async (message: JSONRPCMessage) => {
      if ("method" in message) {
        if ("id" in message) methods.set(message.id, message.method);
        logger.rpc({ event: "rpc_request", serverId: SERVER_ID, method: message.method, payload: message });
      }
      await inner.send(message);
    },
  };
  inner.onmessage = (message) => {
    if ("id" in message && !("method" in message)) logger.rpc({ event: "rpc_response", serverId: SERVER_ID, payload: message });
    outer.onmessage?.(message);
  };
  inner.onclose = () => outer.onclose?.();
  inner.onerror = (error) => outer.onerror?.(error);
  return outer;
}

let dir: string;
let logger: FileLogger;
let client: Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "flowgate-real-logs-"));
  logger = openFileLogger({ dir, stderr: () => undefined, secrets: ["agent-secret-42"] });
  const stdio = new StdioClientTransport({ command: process.execPath, args: [serverEntry, "stdio"], stderr: "pipe" });
  const stderr = stdio.stderr;
  if (stderr instanceof Readable) createInterface({ input: stderr }).on("line", (line) => logger.server(SERVER_ID, "info", "backend", `[stderr] ${line}`));
  client = new Client({ name: "flowgate-test", version: "0.0.0" });
  await client.connect(loggingTransport(stdio, logger));
  const { tools } = await client.listTools();
  logger.tools(SERVER_ID, tools);
});

afterAll(async () => {
  await client.close();
  await logger.close();
});

describe("logs and payloads from a real backend", () => {
  it("spills a 1 MB tool result and keeps the whole of it on disk", async () => {
    const message = "0123456789".repeat(100_000);
    const result = (await client.callTool({ name: "echo", arguments: { message } })) as CallToolResult;
    const payloadDir = join(dir, "payloads");
    const spilled = await spillLargePayload(result, "agent-secret-42", { payloadDir, payloadSizeThreshold: 524288 }, logger);
    const item = spilled.content[0];
    if (item?.type !== "text") throw new Error("expected the metadata text item");
    const metadata = JSON.parse(item.text) as { payloadPath: string; payloadPreview: string; originalSize: number };
    expect(metadata.payloadPath.startsWith(join(payloadDir, "agent-secret-42"))).toBe(true);
    expect(JSON.parse(readFileSync(metadata.payloadPath, "utf8"))).toEqual(result);
    expect(metadata.originalSize).toBeGreaterThan(1_000_000);
    expect(metadata.payloadPreview).toMatch(/^\{"content":\[\{"type":"text","text":"Echo: 0123456789/);
  });

  it("records the traffic in rpc-messages.jsonl, gateway.md, the text logs and tools.json", async () => {
    await client.callTool({ name: "get-sum", arguments: { a: 2, b: 3 } });
    await logger.flush();
    const records = readFileSync(join(dir, "rpc-messages.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const sumCall = records.find((record) => record.method === "tools/call" && JSON.stringify(record.payload).includes("get-sum"));
    expect(sumCall).toEqual({
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      event: "rpc_request",
      _schema: "rpc-message/v2",
      direction: "OUT",
      server_id: SERVER_ID,
      method: "tools/call",
      payload: { jsonrpc: "2.0", method: "tools/call", params: { name: "get-sum", arguments: { a: 2, b: 3 } } },
    });
    expect(records.filter((record) => record.event === "rpc_response").map((record) => Object.keys(record))).toContainEqual([
      "timestamp",
      "event",
      "_schema",
      "direction",
      "server_id",
      "payload",
    ]);
    expect(JSON.stringify(records)).toContain("The sum of 2 and 3 is 5.");

    const markdown = readFileSync(join(dir, "gateway.md"), "utf8");
    expect(markdown).toContain("- 🔍 rpc **everything** → `tools/call` `get-sum`\n");
    expect(markdown).toContain("- 🔍 rpc **everything** ← `resp`");
    expect(readFileSync(join(dir, `${SERVER_ID}.log`), "utf8")).toMatch(/\[INFO\] \[backend\] \[stderr\] .+\n/);
    expect(readFileSync(join(dir, "mcp-gateway.log"), "utf8")).toMatch(/\[DEBUG\] \[rpc\] everything→tools\/call \d+b /);

    const catalogue = JSON.parse(readFileSync(join(dir, "tools.json"), "utf8")) as { servers: Record<string, Array<{ name: string; description: string }>> };
    expect(catalogue.servers[SERVER_ID]).toContainEqual({ name: "echo", description: "Echoes back the input string" });

    for (const name of ["mcp-gateway.log", "gateway.md", "rpc-messages.jsonl"]) {
      expect(readFileSync(join(dir, name), "utf8")).not.toContain("agent-secret-42");
    }
  });
});
