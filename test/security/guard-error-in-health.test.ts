import { describe, expect, it } from "vitest";
import { Backend } from "../../src/backends/backend.ts";
import { healthDocument, type GuardHealthEntry } from "../../src/gateway/http/health.ts";
import { stdioServer } from "../support/mcp-servers.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

// /health needs no credential, and it showed each guard's last error as the guard wrote it. A
// guard's error text is the guard's own: it may quote the tool's arguments an agent sent (a path,
// a repository) or what the agent read, so anyone who could reach /health could read them. Only
// the function that failed is shown now.
const SECRET = "/workspace/private/salaries-2026.md";

const files = new Backend(stdioServer("files", "/nonexistent"), {
  clientInfo: { name: "test", version: "1" },
  logger: new RecordingLogger(),
  startupTimeout: 30,
  toolTimeout: 60,
  keepaliveInterval: -1,
});

function guardEntry(lastError: string): GuardHealthEntry {
  return { name: "files", state: "ready", calls: 3, errors: 1, failures: 0, recoveries: 0, consecutiveFailures: 0, instances: 1, lastError, closed: false };
}

describe("a guard's error text on the unauthenticated /health", () => {
  it.each([
    [`label_resource: guard error: cannot read ${SECRET}`, "label_resource failed"],
    [`label_response: timed out: while parsing ${SECRET}`, "label_response failed"],
    [`label_agent: policy names ${SECRET}`, "label_agent failed"],
    [`unexpected: ${SECRET}`, "a guard call failed"],
  ])("shows %j only as the function that failed", (lastError, shown) => {
    const document = healthDocument({ backends: [files], gatewayVersion: "t", startedAt: 0, guards: { files: guardEntry(lastError) } });
    const guard = document.servers["files"]?.guard;
    expect(guard).toMatchObject({ name: "files", errors: 1, lastError: expect.stringMatching(new RegExp(`^${shown} `)) });
    expect(JSON.stringify(document)).not.toContain(SECRET);
  });
});
