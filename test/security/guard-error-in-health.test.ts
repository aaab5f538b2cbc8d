import { describe, expect, it } from "vitest";
import { Backend } from "../../src/backends/backend.ts";
import { healthDocument, type GuardHealthEntry } from "../../src/gateway/http/health.ts";
import { loadWasmGuard, type Guard } from "../../src/guard/index.ts";
import { builtGuardPath } from "../support/guards.ts";
import { stdioServer } from "../support/mcp-servers.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

// /health needs no credential, and it showed each guard's last error as the guard wrote it. A
// guard's error text is the guard's own: it may quote the tool's arguments an agent sent (a path,
// a repository) or what the agent read, so anyone who could reach /health could read them. Only
// the function that failed is shown now, as the guard's status names it (never read out of the text).
const SECRET = "/workspace/private/salaries-2026.md";
const POLICY = { "allow-only": { repos: "all", "min-integrity": "none" } };

const files = new Backend(stdioServer("files", "/nonexistent"), {
  clientInfo: { name: "test", version: "1" },
  logger: new RecordingLogger(),
  startupTimeout: 30,
  toolTimeout: 60,
  keepaliveInterval: -1,
});

function guardEntry(lastError: string, lastFailedFunction: string | undefined): GuardHealthEntry {
  return {
    name: "files",
    state: "ready",
    calls: 3,
    errors: 1,
    failures: 0,
    recoveries: 0,
    consecutiveFailures: 0,
    instances: 1,
    lastError,
    ...(lastFailedFunction === undefined ? {} : { lastFailedFunction }),
    closed: false,
  };
}

function shownGuard(guard: GuardHealthEntry) {
  return healthDocument({ backends: [files], gatewayVersion: "t", startedAt: 0, guards: { files: guard } }).servers["files"]?.guard;
}

describe("a guard's error text on the unauthenticated /health", () => {
  it.each([
    [`label_resource: guard error: cannot read ${SECRET}`, "label_resource", "label_resource failed"],
    [`label_response: timed out: while parsing ${SECRET}`, "label_response", "label_response failed"],
    [`label_agent: policy names ${SECRET}`, "label_agent", "label_agent failed"],
    [`invalid resource format in guard response: ${SECRET}`, "label_resource", "label_resource failed"],
    [`label_agent: ${SECRET}`, undefined, "a guard call failed"],
  ])("shows %j only as the function that failed", (lastError, lastFailedFunction, shown) => {
    const document = healthDocument({ backends: [files], gatewayVersion: "t", startedAt: 0, guards: { files: guardEntry(lastError, lastFailedFunction) } });
    const guard = document.servers["files"]?.guard;
    expect(guard).toMatchObject({ name: "files", errors: 1, lastError: expect.stringMatching(new RegExp(`^${shown} `)) });
    expect(guard).not.toHaveProperty("lastFailedFunction");
    expect(JSON.stringify(document)).not.toContain(SECRET);
  });

  it.each<[string, string, (guard: Guard) => Promise<unknown>, string]>([
    ["alloc-null", "label_agent", (guard) => guard.labelAgent(POLICY), "label_agent failed"],
    ["alloc-null", "label_resource", (guard) => guard.labelResource("read_text_file", { path: SECRET }), "label_resource failed"],
    [
      "alloc-null",
      "label_response",
      (guard) => guard.labelResponse("read_text_file", { content: [{ type: "text", text: SECRET }] }, {}),
      "label_response failed",
    ],
    ["direct", "an unparsable label_resource answer", (guard) => guard.labelResource("read_text_file", { path: SECRET }), "label_resource failed"],
    ["scripted", "a label_resource trap", (guard) => guard.labelResource("cmd-T", { path: SECRET }), "label_resource failed"],
  ])("names the function a real guard (%s) failed in, for %s, from its status", async (file, _case, call, shown) => {
    const guard = await loadWasmGuard(builtGuardPath("edge-cases", file), { name: file, poolSize: 1 });
    try {
      await expect(call(guard)).rejects.toThrow();
      expect(shownGuard(guard.status())?.lastError).toMatch(new RegExp(`^${shown} \\(the guard's message is not shown here`));
    } finally {
      await guard.close();
    }
  });
});
