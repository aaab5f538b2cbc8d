import { afterEach, describe, expect, it, vi } from "vitest";
import { Backend } from "../../src/backends/backend.ts";
import { RecordingLogger } from "../support/recording-logger.ts";
import { stdioServer } from "../support/mcp-servers.ts";

function backend(): Backend {
  return new Backend(stdioServer("b", "/nonexistent"), {
    clientInfo: { name: "test", version: "1" },
    logger: new RecordingLogger(),
    startupTimeout: 30,
    toolTimeout: 60,
    keepaliveInterval: -1,
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("Backend state for /health and restarts", () => {
  it.each([
    [1, 0],
    [2, 250],
    [3, 500],
  ])("after %i failures blocks relaunching for %i ms, counted from the last failure", (failures, blockedMs) => {
    vi.useFakeTimers({ now: 1_000_000 });
    const b = backend();
    for (let i = 0; i < failures; i++) b.markFailed("boom");
    expect(b.relaunchBlockedForMs()).toBe(blockedMs);
    vi.setSystemTime(1_000_000 + blockedMs);
    expect(b.relaunchBlockedForMs()).toBe(0);
  });

  it("reports error with the reason after a failure and running with uptime from the first launch after a success", () => {
    vi.useFakeTimers({ now: 5_000_000 });
    const b = backend();
    expect(b.status).toBe("stopped");
    b.markRunning();
    b.markFailed("crashed");
    expect([b.status, b.lastError]).toEqual(["error", "crashed"]);
    vi.setSystemTime(5_000_000 + 42_000);
    b.markRunning();
    expect([b.status, b.lastError, b.uptimeSeconds(), b.relaunchBlockedForMs()]).toEqual(["running", undefined, 42, 0]);
  });
});
