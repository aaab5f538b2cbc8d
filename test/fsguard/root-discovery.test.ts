import { describe, expect, it } from "vitest";
import { configuredGuard, PRIVATE, withoutRoot } from "./policy.ts";

// Without fs-root the guard asks the server which folder it serves, through call_backend.
const POLICY_WITHOUT_ROOT = withoutRoot();

function allowedDirectories(text: string): unknown {
  return { content: [{ type: "text", text }], structuredContent: { content: text } };
}

const readPrivate = { capabilities: {}, tool_args: { path: "/data/docs/private/a.md" }, tool_name: "read_text_file" };

describe("filesystem guard without fs-root", () => {
  it("learns the served folder from list_allowed_directories once and labels paths under it", async () => {
    const backend = new Map([["list_allowed_directories", allowedDirectories("Allowed directories:\n/data/docs/\n/data/other")]]);
    const guard = await configuredGuard(POLICY_WITHOUT_ROOT, { backend });
    expect(guard.callJson("label_resource", readPrivate)).toMatchObject({ resource: { secrecy: [PRIVATE] } });
    guard.callJson("label_resource", readPrivate);
    expect(guard.backendCalls).toEqual([{ tool: "list_allowed_directories", args: {} }]);
  });

  it("reads a backend answer larger than its first buffer by retrying with the size the host asks for", async () => {
    const padding = "/data/unused\n".repeat(10_000);
    const backend = new Map([["list_allowed_directories", allowedDirectories(`Allowed directories:\n/data/docs\n${padding}`)]]);
    const guard = await configuredGuard(POLICY_WITHOUT_ROOT, { backend });
    expect(guard.callJson("label_resource", readPrivate)).toMatchObject({ resource: { secrecy: [PRIVATE] } });
    expect(guard.backendCalls).toHaveLength(2);
  });

  it.each([
    ["the backend call fails", new Map<string, unknown>()],
    ["the answer names no folder", new Map<string, unknown>([["list_allowed_directories", allowedDirectories("Allowed directories:\n")]])],
  ])("fails the call closed (−1) and says why when %s", async (_case, backend) => {
    const guard = await configuredGuard(POLICY_WITHOUT_ROOT, { backend });
    expect(guard.call("label_resource", readPrivate).code).toBe(-1);
    expect(guard.logs.map((entry) => entry.message)).toContain(
      'cannot learn the served folder from list_allowed_directories; set "fs-root" in the guard\'s config',
    );
  });
});
