import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { formatDifcFilteredRecord, formatRpcRecord } from "../../src/log/rpc-format.ts";
import { secrecyMarker } from "../../src/log/redaction.ts";
import { Sanitizer } from "../../src/log/sanitize.ts";
import type { RpcLogRecord } from "../../src/log/types.ts";

const AT = new Date(Date.UTC(2026, 10, 25, 12, 0, 0, 42));
const TS = '"timestamp":"2026-11-25T12:00:00.042Z"';

describe("rpc-messages.jsonl records", () => {
  it.each<[string, RpcLogRecord, string]>([
    [
      "a request given as params",
      { event: "rpc_request", serverId: "s1", method: "tools/call", payload: { name: "echo", arguments: { text: "hi" } } },
      `{${TS},"event":"rpc_request","_schema":"rpc-message/v2","direction":"OUT","server_id":"s1","method":"tools/call","payload":{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}}`,
    ],
    [
      "a request given as the whole message, id dropped",
      { event: "rpc_request", serverId: "s1", method: "tools/list", payload: { jsonrpc: "2.0", id: 3, method: "tools/list" } },
      `{${TS},"event":"rpc_request","_schema":"rpc-message/v2","direction":"OUT","server_id":"s1","method":"tools/list","payload":{"jsonrpc":"2.0","method":"tools/list","params":null}}`,
    ],
    [
      "a request with the agent's labels",
      { event: "rpc_request", serverId: "sink", method: "tools/call", payload: {}, agentSecrecy: ["private:o/r"], agentIntegrity: [] },
      `{${TS},"event":"rpc_request","_schema":"rpc-message/v2","direction":"OUT","server_id":"sink","method":"tools/call","agent_secrecy":["private:o/r"],"payload":{"jsonrpc":"2.0","method":"tools/call","params":{}}}`,
    ],
    [
      "a response given as a bare result",
      { event: "rpc_response", serverId: "s1", payload: { content: [] }, id: 9 },
      `{${TS},"event":"rpc_response","_schema":"rpc-message/v2","direction":"IN","server_id":"s1","payload":{"jsonrpc":"2.0","id":9,"result":{"content":[]}}}`,
    ],
    [
      "a JSON-RPC error response",
      { event: "rpc_response", serverId: "s1", payload: { jsonrpc: "2.0", id: "a", error: { code: -32602, message: "bad" } } },
      `{${TS},"event":"rpc_response","_schema":"rpc-message/v2","direction":"IN","server_id":"s1","payload":{"jsonrpc":"2.0","id":"a","error":{"code":-32602,"message":"bad"}}}`,
    ],
    [
      "a transport error with nothing received",
      { event: "rpc_response", serverId: "s1", payload: undefined, error: "socket hang up", agentIntegrity: ["approved"] },
      `{${TS},"event":"rpc_response","_schema":"rpc-message/v2","direction":"IN","server_id":"s1","error":"socket hang up","agent_integrity":["approved"],"payload":{"_error":"invalid JSON","_raw":""}}`,
    ],
    [
      "a payload that is not JSON text",
      { event: "rpc_response", serverId: "s1", payload: "{truncated" },
      `{${TS},"event":"rpc_response","_schema":"rpc-message/v2","direction":"IN","server_id":"s1","payload":{"_error":"invalid JSON","_raw":"{truncated"}}`,
    ],
    [
      "a payload carrying secrets",
      { event: "rpc_request", serverId: "s1", method: "tools/call", payload: { name: "login", arguments: { password: "hunter2", note: "Bearer abcdef" } } },
      `{${TS},"event":"rpc_request","_schema":"rpc-message/v2","direction":"OUT","server_id":"s1","method":"tools/call","payload":{"jsonrpc":"2.0","method":"tools/call","params":{"name":"login","arguments":{"password":"[REDACTED]","note":"[REDACTED]"}}}}`,
    ],
  ])("writes %s in the reference's field order", (_name, record, expected) => {
    expect(formatRpcRecord(record, AT, new Sanitizer()).jsonl).toBe(expected);
  });

  it.each<[string, RpcLogRecord, string]>([
    [
      "a request",
      { event: "rpc_request", serverId: "s1", method: "tools/list", payload: undefined },
      's1→tools/list 53b {"jsonrpc":"2.0","method":"tools/list","params":null}',
    ],
    [
      "a response with an error",
      { event: "rpc_response", serverId: "s1", payload: undefined, error: "EOF" },
      's1←resp 0b err:EOF {"_error":"invalid JSON","_raw":""}',
    ],
  ])("writes the text-log line of %s", (_name, record, expected) => {
    expect(formatRpcRecord(record, AT, new Sanitizer()).text).toBe(expected);
  });

  const salaryText = '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"Alice 182,000"}]}}';
  const redaction = `{"redacted":"secrecy","bytes":${Buffer.byteLength(salaryText)},"sha256":"${createHash("sha256").update(salaryText).digest("hex")}"}`;
  it.each<[string, RpcLogRecord, "redacted" | "all", { jsonl: unknown; text: unknown; markdown: unknown }]>([
    [
      "a sensitive response, by default as the size and sha256 of the payload it replaces",
      { event: "rpc_response", serverId: "fs", payload: { content: [{ type: "text", text: "Alice 182,000" }] }, sensitive: true },
      "redacted",
      {
        jsonl: `{${TS},"event":"rpc_response","_schema":"rpc-message/v2","direction":"IN","server_id":"fs","payload":${redaction}}`,
        text: `fs←resp ${Buffer.byteLength(salaryText)}b ${redaction}`,
        markdown: `**fs** ← \`resp\`\n\n\`\`\`json\n${redaction}\n\`\`\``,
      },
    ],
    [
      "a sensitive error response, its error text too",
      {
        event: "rpc_response",
        serverId: "fs",
        payload: { jsonrpc: "2.0", id: 1, error: { code: 1, message: "Alice 182,000" } },
        error: "Alice 182,000",
        sensitive: true,
      },
      "redacted",
      {
        jsonl: expect.stringContaining(`"error":"(redacted: secrecy)","payload":{"redacted":"secrecy"`),
        text: expect.stringMatching(/^fs←resp \d+b err:\(redacted: secrecy\) \{"redacted":"secrecy"/),
        markdown: expect.stringContaining("⚠️ `(redacted: secrecy)`"),
      },
    ],
    [
      "a sensitive tools/call, without the tool name the agent chose",
      { event: "rpc_request", serverId: "fs", method: "tools/call", payload: { name: "Alice_182000", arguments: {} }, sensitive: true },
      "redacted",
      {
        jsonl: expect.stringMatching(/"method":"tools\/call","payload":\{"redacted":"secrecy"/),
        text: expect.stringMatching(/^fs→tools\/call \d+b \{"redacted":"secrecy"/),
        markdown: expect.not.stringContaining("Alice_182000"),
      },
    ],
    [
      "a sensitive request of a method the agent named, with the method as a redaction marker",
      { event: "rpc_request", serverId: "fs", method: "x/Alice 182,000", payload: {}, sensitive: true },
      "redacted",
      {
        jsonl: expect.stringContaining(`"method":"${secrecyMarker("x/Alice 182,000")}","payload":{"redacted":"secrecy"`),
        text: expect.stringMatching(/^fs→\(redacted: secrecy, sha256 [0-9a-f]{16}\) \d+b \{"redacted":"secrecy"/),
        markdown: expect.not.stringContaining("Alice"),
      },
    ],
    [
      "a sensitive request with --log-payloads all, whole",
      { event: "rpc_request", serverId: "fs", method: "tools/call", payload: { name: "write_file", arguments: { content: "Alice 182,000" } }, sensitive: true },
      "all",
      {
        jsonl: expect.stringContaining(
          '"payload":{"jsonrpc":"2.0","method":"tools/call","params":{"name":"write_file","arguments":{"content":"Alice 182,000"}}}',
        ),
        text: expect.stringContaining('"content":"Alice 182,000"'),
        markdown: expect.stringContaining('"content":"Alice 182,000"'),
      },
    ],
  ])("writes %s", (_name, record, logPayloads, expected) => {
    expect(formatRpcRecord(record, AT, new Sanitizer(), logPayloads)).toEqual(expected);
  });

  it("cuts the text-log payload at 10 KiB", () => {
    const record: RpcLogRecord = { event: "rpc_response", serverId: "s1", payload: { text: "é".repeat(20_000) } };
    const text = formatRpcRecord(record, AT, new Sanitizer()).text;
    const payload = text.slice(text.indexOf(" ", text.indexOf("b ")) + 1);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(10 * 1024);
    expect(Buffer.byteLength(payload)).toBeGreaterThan(10 * 1024 - 2);
    expect(payload).not.toContain("\uFFFD");
  });

  it("writes difc-filtered/v2 records with optional fields only when present", () => {
    const formatted = formatDifcFilteredRecord(
      {
        serverId: "github",
        toolName: "list_issues",
        description: "issue #7",
        reason: "integrity too low",
        secrecyTags: [],
        integrityTags: ["none:o/r"],
        authorLogin: "mallory",
        number: "7",
      },
      AT,
      new Sanitizer(),
    );
    const fields =
      '"server_id":"github","tool_name":"list_issues","description":"issue #7","reason":"integrity too low","secrecy_tags":[],"integrity_tags":["none:o/r"],"author_login":"mallory","number":"7"';
    expect(formatted.jsonl).toBe(`{${TS},"event":"difc_filtered","_schema":"difc-filtered/v2",${fields}}`);
    expect(formatted.text).toBe(`[DIFC-FILTERED] {${fields}}`);
  });
});
