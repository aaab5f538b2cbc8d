import { describe, expect, it } from "vitest";
import { APPROVED, configuredGuard, PAYROLL, PRIVATE, ROOT, withConfig } from "./policy.ts";

// With fs-owner-only-private, a file only its owner may read is private too; the guard asks the
// server's get_file_info for the file's permissions through call_backend.
const OWNER_ONLY = "private:demo/~owner-only";
const OWNER_ONLY_POLICY = withConfig({ "fs-owner-only-private": true });

function fileInfo(permissions: string): unknown {
  const text = `size: 7\nisDirectory: false\nisFile: true\npermissions: ${permissions}`;
  return { content: [{ type: "text", text }], structuredContent: { content: text } };
}

function infoFor(path: string): string {
  return `get_file_info ${JSON.stringify({ path })}`;
}

const backend = new Map<string, unknown>([
  [infoFor(`${ROOT}/notes/shared.md`), fileInfo("644")],
  [infoFor(`${ROOT}/notes/team.md`), fileInfo("640")],
  [infoFor(`${ROOT}/notes/.env`), fileInfo("600")],
  [infoFor(`${ROOT}/notes/key.pem`), fileInfo("400")],
  [infoFor(`${ROOT}/notes/odd.md`), { content: [{ type: "text", text: "size: 1" }] }],
  [infoFor(`${ROOT}/notes/gone.md`), { content: [{ type: "text", text: "Error: ENOENT" }], isError: true }],
]);

const guard = await configuredGuard(OWNER_ONLY_POLICY, { backend });

function secrecyOf(tool: string, args: unknown): string[] {
  const answer = guard.callJson("label_resource", { capabilities: {}, tool_args: args, tool_name: tool }) as {
    resource: { secrecy: string[] };
  };
  return answer.resource.secrecy;
}

describe("filesystem guard with fs-owner-only-private", () => {
  it.each([
    ["readable by everyone (644)", "notes/shared.md", []],
    ["readable by its group (640)", "notes/team.md", []],
    ["readable by its owner only (600)", "notes/.env", [OWNER_ONLY]],
    ["read-only for its owner (400)", "notes/key.pem", [OWNER_ONLY]],
    ["whose permissions the answer leaves out", "notes/odd.md", [OWNER_ONLY]],
    ["the server reports an error for", "notes/gone.md", [OWNER_ONLY]],
    ["the backend call fails for", "notes/unknown.md", [OWNER_ONLY]],
  ])("labels a read of a file %s accordingly", (_case, path, secrecy) => {
    expect(secrecyOf("read_text_file", { path })).toEqual(secrecy);
  });

  it("asks the server once per file read, with the resolved path", () => {
    const before = guard.backendCalls.length;
    secrecyOf("read_text_file", { path: "notes/../notes/.env" });
    expect(guard.backendCalls.slice(before)).toEqual([{ tool: "get_file_info", args: { path: `${ROOT}/notes/.env` } }]);
  });

  it.each([
    ["get_file_info", { path: `${ROOT}/notes/.env` }],
    ["list_directory", { path: `${ROOT}/notes` }],
    ["write_file", { path: `${ROOT}/notes/.env`, content: "x" }],
  ])("does not ask about %s, which reveals no file content to the agent", (tool, args) => {
    const before = guard.backendCalls.length;
    expect(secrecyOf(tool, args)).toEqual([]);
    expect(guard.backendCalls.length).toBe(before);
  });

  it("labels each file of read_multiple_files by its own permissions", () => {
    const paths = [`${ROOT}/notes/shared.md`, `${ROOT}/notes/.env`];
    const text = `${paths[0]}:\na\n\n---\n${paths[1]}:\nb\n`;
    const answer = guard.callJson("label_response", {
      capabilities: {},
      tool_args: { paths },
      tool_name: "read_multiple_files",
      tool_result: { content: [{ type: "text", text }] },
    }) as { items: { labels: { secrecy: string[]; integrity: string[] } }[] };
    expect(answer.items.map((item) => item.labels.secrecy)).toEqual([[], [OWNER_ONLY]]);
    expect(answer.items.map((item) => item.labels.integrity)).toEqual([APPROVED, APPROVED]);
  });

  it("counts every file of a read of more than 40 files as owner-only without asking", () => {
    const paths = Array.from({ length: 41 }, () => `${ROOT}/notes/shared.md`);
    const before = guard.backendCalls.length;
    expect(secrecyOf("read_multiple_files", { paths })).toEqual([OWNER_ONLY]);
    expect(guard.backendCalls.length).toBe(before);
  });

  it("lets fs-clearance name ~owner-only and counts the tag among the private ones", async () => {
    const cleared = withConfig({ "fs-owner-only-private": true, "fs-clearance": ["~owner-only"] });
    const fresh = await configuredGuard();
    expect(fresh.callJson("label_agent", cleared)).toMatchObject({
      agent: { secrecy: [OWNER_ONLY] },
      normalized_policy: { private: [PRIVATE, PAYROLL, OWNER_ONLY] },
    });
  });

  it.each([
    [{ "fs-owner-only-private": "yes" }, "guard-config.fs-owner-only-private must be true or false"],
    [{ "fs-clearance": ["~owner-only"] }, 'guard-config.fs-clearance entry "~owner-only" needs "fs-owner-only-private": true'],
  ])("rejects %j", async (extra, message) => {
    const fresh = await configuredGuard();
    expect(fresh.callJson("label_agent", withConfig(extra))).toEqual({
      success: false,
      error: message,
    });
  });
});
