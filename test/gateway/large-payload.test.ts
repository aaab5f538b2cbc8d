import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import {
  PAYLOAD_AGENT_INSTRUCTIONS,
  inferPayloadSchema,
  payloadSessionSegment,
  previewPayload,
  spillLargePayload,
} from "../../src/gateway/results/large-payload.ts";
import type { GatewayLogger, LogLevel } from "../../src/log/types.ts";

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), "flowgate-payloads-"));
}

function textResult(bytes: number): CallToolResult {
  return { content: [{ type: "text", text: "x".repeat(bytes) }] };
}

interface Metadata {
  agentInstructions: string;
  payloadPath: string;
  payloadPreview: string;
  payloadSchema: unknown;
  originalSize: number;
}

function metadataOf(result: CallToolResult): Metadata {
  expect(result.content).toHaveLength(1);
  const item = result.content[0];
  if (item?.type !== "text") throw new Error("expected one text item");
  return JSON.parse(item.text) as Metadata;
}

function recordingLogger() {
  const lines: Array<{ level: LogLevel; category: string; message: string }> = [];
  const logger: GatewayLogger = {
    log: (level, category, message) => void lines.push({ level, category, message }),
    server: () => undefined,
    rpc: () => undefined,
    difcFiltered: () => undefined,
    tools: () => undefined,
    close: async () => undefined,
  };
  return { logger, lines };
}

describe("large-payload spill", () => {
  it.each([
    ["a result at the threshold", textResult(100), JSON.stringify(textResult(100)).length],
    ["a result under the threshold", textResult(100), 10_000],
    ["an error result over the threshold", { ...textResult(5000), isError: true }, 1024],
  ])("returns %s unchanged and writes nothing", async (_name, result, threshold) => {
    const dir = freshDir();
    const returned = await spillLargePayload(result, "s", { payloadDir: dir, payloadSizeThreshold: threshold });
    expect(returned).toBe(result);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("saves a 1 MB result to <payloadDir>/<session>/<query>/payload.json and returns the metadata document", async () => {
    const dir = freshDir();
    const rows = Array.from({ length: 8000 }, (_, i) => ({ id: i, title: `issue ${i} ${"é".repeat(60)}`, open: i % 2 === 0, labels: ["bug"], closedAt: null }));
    const result: CallToolResult = {
      content: [
        { type: "text", text: JSON.stringify(rows) },
        { type: "text", text: "[DIFC notice]" },
      ],
      structuredContent: { rows: rows.length },
      _meta: { trace: "t1" },
    };
    const json = JSON.stringify(result);
    expect(Buffer.byteLength(json)).toBeGreaterThan(1_000_000);

    const returned = await spillLargePayload(result, "session-1", { payloadDir: dir, payloadSizeThreshold: 524288 });

    expect(Object.keys(returned)).toEqual(["content", "_meta"]);
    expect(returned._meta).toEqual({ trace: "t1" });
    const metadata = metadataOf(returned);
    expect(Object.keys(metadata)).toEqual(["agentInstructions", "payloadPath", "payloadPreview", "payloadSchema", "originalSize"]);
    expect(metadata.agentInstructions).toBe(PAYLOAD_AGENT_INSTRUCTIONS);
    expect(metadata.originalSize).toBe(Buffer.byteLength(json));
    const preview = metadata.payloadPreview.replace(/\.\.\.$/, "");
    expect(metadata.payloadPreview.endsWith("...")).toBe(true);
    expect(json.startsWith(preview)).toBe(true);
    expect(Buffer.byteLength(preview)).toBeGreaterThan(500 - 4);
    expect(Buffer.byteLength(preview)).toBeLessThanOrEqual(500);
    expect(metadata.payloadSchema).toEqual({
      content: [{ type: "string", text: "string" }],
      structuredContent: { rows: "number" },
      _meta: { trace: "string" },
    });

    expect(relative(dir, metadata.payloadPath)).toMatch(/^session-1\/[0-9a-f]{32}\/payload\.json$/);
    expect(readFileSync(metadata.payloadPath, "utf8")).toBe(json);
    expect(statSync(metadata.payloadPath).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(metadata.payloadPath)).mode & 0o777).toBe(0o755);
  });

  it("returns the prefixed path while writing under the real directory (T-PTL-005)", async () => {
    const dir = freshDir();
    const settings = { payloadDir: dir, payloadPathPrefix: "/workspace/payloads", payloadSizeThreshold: 1024 };
    expect(await spillLargePayload(textResult(400), "agent", settings)).toEqual(textResult(400));
    const metadata = metadataOf(await spillLargePayload(textResult(4096), "agent", settings));
    expect(metadata.payloadPath).toMatch(/^\/workspace\/payloads\/agent\/[0-9a-f]{32}\/payload\.json$/);
    const onDisk = join(dir, relative("/workspace/payloads", metadata.payloadPath));
    expect(JSON.parse(readFileSync(onDisk, "utf8"))).toEqual(textResult(4096));
  });

  it("gives every spill its own query directory", async () => {
    const dir = freshDir();
    const settings = { payloadDir: dir, payloadSizeThreshold: 10 };
    await spillLargePayload(textResult(50), undefined, settings);
    await spillLargePayload(textResult(50), undefined, settings);
    expect(readdirSync(join(dir, "default"))).toHaveLength(2);
  });

  it.each([
    [undefined, "default"],
    ["", "default"],
    ["..", "default"],
    ["agent-1.A_b", "agent-1.A_b"],
    ["team/agent", "team_agent"],
    ["../../etc", ".._.._etc"],
    ["a b\\c", "a_b_c"],
  ])("keeps the session id %j inside payloadDir as %j", (sessionId, expected) => {
    expect(payloadSessionSegment(sessionId)).toBe(expected);
  });

  it.each([
    [
      "a write failure",
      (dir: string) => {
        writeFileSync(join(dir, "file"), "");
        return join(dir, "file", "payloads");
      },
    ],
    [
      "a session directory planted as a symlink",
      (dir: string) => {
        mkdirSync(join(dir, "elsewhere"));
        mkdirSync(join(dir, "payloads"));
        symlinkSync(join(dir, "elsewhere"), join(dir, "payloads", "victim"));
        return join(dir, "payloads");
      },
    ],
  ])("logs %s and returns the metadata with an empty payloadPath", async (_name, makePayloadDir) => {
    const dir = freshDir();
    const { logger, lines } = recordingLogger();
    const returned = await spillLargePayload(textResult(2000), "victim", { payloadDir: makePayloadDir(dir), payloadSizeThreshold: 1000 }, logger);
    const metadata = metadataOf(returned);
    expect(metadata.payloadPath).toBe("");
    expect(metadata.originalSize).toBe(JSON.stringify(textResult(2000)).length);
    expect(lines).toEqual([expect.objectContaining({ level: "error", category: "payload" })]);
    expect(readdirSync(dir).includes("elsewhere") ? readdirSync(join(dir, "elsewhere")) : []).toEqual([]);
  });

  it.each([
    ["ASCII", "a".repeat(600), `${"a".repeat(500)}...`],
    ["a two-byte character across byte 500", `${"a".repeat(499)}é${"b".repeat(100)}`, `${"a".repeat(499)}...`],
    ["a four-byte character across byte 500", `${"a".repeat(498)}😀${"b".repeat(100)}`, `${"a".repeat(498)}...`],
    ["a character ending at byte 500", `${"a".repeat(498)}é${"b".repeat(100)}`, `${"a".repeat(498)}é...`],
    ["a short payload", "short", "short"],
  ])("previews %s", (_name, text, expected) => {
    expect(previewPayload(Buffer.from(text))).toBe(expected);
  });

  it.each<[string, unknown, unknown]>([
    ["leaves", { s: "x", n: 1.5, b: false, z: null }, { s: "string", n: "number", b: "boolean", z: "null" }],
    ["arrays by their first element", [{ a: 1 }, { b: "x" }], [{ a: "number" }]],
    ["empty arrays", { list: [] }, { list: [] }],
    ["nesting", { a: { b: [[1]] } }, { a: { b: [["number"]] } }],
    ["a bare string", "x", "string"],
  ])("infers the schema of %s", (_name, value, expected) => {
    expect(inferPayloadSchema(value)).toEqual(expected);
  });
});
