import { describe, expect, it } from "vitest";
import { expandEnvPassthrough } from "../../src/backends/env-passthrough.ts";
import { gatewayConfig, runGateway } from "../support/gateway.ts";
import { MEMORY_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

const env = { GITHUB_TOKEN: "ghp_secretvalue", SHORT: "abc", EMPTY: "" };

describe("expandEnvPassthrough", () => {
  it.each([
    {
      name: "a set variable gets its value",
      args: ["run", "-e", "GITHUB_TOKEN", "image"],
      expected: ["run", "-e", "GITHUB_TOKEN=ghp_secretvalue", "image"],
      lines: ["✓ Env passthrough: GITHUB_TOKEN=ghp_... (from MCPG process)"],
    },
    {
      name: "an unset variable is left alone, with a warning",
      args: ["run", "-e", "MISSING", "image"],
      expected: ["run", "-e", "MISSING", "image"],
      lines: ["✗ WARNING: Env passthrough for MISSING requested but NOT FOUND in MCPG process"],
    },
    { name: "an explicit value is kept and not reported", args: ["-e", "GITHUB_TOKEN=other"], expected: ["-e", "GITHUB_TOKEN=other"], lines: [] },
    {
      name: "a set but empty variable becomes NAME=",
      args: ["-e", "EMPTY"],
      expected: ["-e", "EMPTY="],
      lines: ["✓ Env passthrough: EMPTY=... (from MCPG process)"],
    },
    {
      name: "a short value is not shown at all",
      args: ["-e", "SHORT"],
      expected: ["-e", "SHORT=abc"],
      lines: ["✓ Env passthrough: SHORT=... (from MCPG process)"],
    },
    { name: "a trailing -e with nothing after it is left alone", args: ["image", "-e"], expected: ["image", "-e"], lines: [] },
    {
      name: "only the argument right after -e is a name",
      args: ["SHORT", "-e", "SHORT", "SHORT"],
      expected: ["SHORT", "-e", "SHORT=abc", "SHORT"],
      lines: ["✓ Env passthrough: SHORT=... (from MCPG process)"],
    },
    {
      name: "the argument after -e is its value, as docker reads it, even another -e",
      args: ["-e", "-e", "SHORT"],
      expected: ["-e", "-e", "SHORT"],
      lines: ["✗ WARNING: Env passthrough for -e requested but NOT FOUND in MCPG process"],
    },
    {
      name: "several pass-throughs in order",
      args: ["-e", "SHORT", "-e", "MISSING"],
      expected: ["-e", "SHORT=abc", "-e", "MISSING"],
      lines: ["✓ Env passthrough: SHORT=... (from MCPG process)", "✗ WARNING: Env passthrough for MISSING requested but NOT FOUND in MCPG process"],
    },
  ])("$name", ({ args, expected, lines }) => {
    const reported: string[] = [];
    expect(expandEnvPassthrough(args, env, (line) => reported.push(line))).toEqual(expected);
    expect(reported).toEqual(lines);
  });

  it("does not change the arguments it was given", () => {
    const args = ["-e", "SHORT"];
    expandEnvPassthrough(args, env, () => undefined);
    expect(args).toEqual(["-e", "SHORT"]);
  });
});

describe("a stdio server launched with -e NAME arguments", () => {
  it("reports each pass-through on the gateway's stderr and in the server's log", async () => {
    process.env.FLOWGATE_PASSTHROUGH_PROBE = "probe-value";
    const gateway = await runGateway(
      gatewayConfig([stdioServer("memory", MEMORY_SCRIPT, { args: [MEMORY_SCRIPT, "-e", "FLOWGATE_PASSTHROUGH_PROBE", "-e", "FLOWGATE_PASSTHROUGH_ABSENT"] })]),
    );
    try {
      expect(gateway.stderr()).toContain("✓ Env passthrough: FLOWGATE_PASSTHROUGH_PROBE=prob... (from MCPG process)\n");
      expect(gateway.stderr()).toContain("✗ WARNING: Env passthrough for FLOWGATE_PASSTHROUGH_ABSENT requested but NOT FOUND in MCPG process\n");
      expect(gateway.stderr()).not.toContain("probe-value");
      expect(gateway.logger.matching("Env passthrough: FLOWGATE_PASSTHROUGH_PROBE=prob...", "memory").length).toBeGreaterThan(0);
    } finally {
      await gateway.stop();
      delete process.env.FLOWGATE_PASSTHROUGH_PROBE;
    }
  });
});
