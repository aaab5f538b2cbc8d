import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { debugNamespaceMatcher, formatDebugLine, formatElapsed } from "../../src/log/debug-namespaces.ts";
import { openFileLogger } from "../../src/log/file-logger.ts";

describe("debug namespaces", () => {
  it.each([
    [undefined, "server:unified", false],
    ["", "server:unified", false],
    ["*", "server:unified", true],
    ["server:*", "server:unified", true],
    ["server:*", "launcher:pool", false],
    ["*:pool", "launcher:pool", true],
    ["mcp:*_transport", "mcp:http_transport", true],
    ["mcp:*_transport", "mcp:connection", false],
    ["cmd:*,server:*,launcher:*", "launcher:pool", true],
    ["cmd:* server:*", "server:routed", true],
    ["*,-server:*", "server:unified", false],
    ["*,-server:*", "config:config", true],
    ["-server:*,server:unified", "server:unified", false],
    ["server.x", "serverAx", false],
  ])("DEBUG=%j enables %s: %s", (spec, namespace, expected) => {
    expect(debugNamespaceMatcher(spec)(namespace)).toBe(expected);
  });

  it.each([
    [0, "+0ms"],
    [999, "+999ms"],
    [1000, "+1s"],
    [59_400, "+59s"],
    [90_000, "+2m"],
    [7_200_000, "+2h"],
    [172_800_000, "+2d"],
  ])("shows %d ms as %s", (ms, expected) => {
    expect(formatElapsed(ms)).toBe(expected);
  });

  it("writes plain lines, or coloured ones when asked", () => {
    expect(formatDebugLine("server:unified", "hello", 12, false)).toBe("server:unified hello +12ms\n");
    expect(formatDebugLine("server:unified", "a\nforged\u0000", 12, false)).toBe("server:unified a\\nforged\\u0000 +12ms\n");
    const coloured = formatDebugLine("server:unified", "hello", 12, true);
    const code = coloured.slice(3, 4);
    expect(coloured).toBe(`\u001b[3${code};1mserver:unified \u001b[0mhello \u001b[3${code}m+12ms\u001b[0m\n`);
    expect(["1", "2", "3", "4", "5", "6"]).toContain(code);
  });

  it("writes an enabled namespace to stderr and the unified log, and a disabled one nowhere", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowgate-debug-"));
    const stderr: string[] = [];
    let clock = Date.UTC(2026, 10, 25, 12, 0, 0, 0);
    const logger = openFileLogger({ dir, stderr: (text) => void stderr.push(text), now: () => new Date(clock), debug: "server:*" });
    const built: string[] = [];
    logger.debug("server:unified", "first");
    clock += 250;
    logger.debug("server:unified", () => "second password=hunter2");
    logger.debug("launcher:pool", () => {
      built.push("launcher");
      return "hidden";
    });
    await logger.close();
    expect(built).toEqual([]);
    expect(stderr.filter((line) => line.startsWith("server:") || line.includes("launcher"))).toEqual([
      "server:unified first +0ms\n",
      "server:unified second password=[REDACTED] +250ms\n",
    ]);
    expect(readFileSync(join(dir, "mcp-gateway.log"), "utf8")).toBe(
      "[2026-11-25T12:00:00.000Z] [DEBUG] [server:unified] first\n[2026-11-25T12:00:00.250Z] [DEBUG] [server:unified] second password=[REDACTED]\n",
    );
  });
});
