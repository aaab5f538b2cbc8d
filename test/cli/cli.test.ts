import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { VERSION } from "../../src/cli/version.ts";

const VERSION_LINE = `MCPG Gateway ${VERSION}\n`;

const run = promisify(execFile);

function capture() {
  const io = { stdout: "", stderr: "" };
  return { io, cli: { out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) } };
}

describe("flowgate CLI", () => {
  it.each([["--version"], ["-V"], ["--config-stdin", "--version"]])("prints the reference's version line for %s, whatever the binary is called", async (...flags) => {
    for (const name of ["flowgate", "awmg"]) {
      const { io, cli } = capture();
      expect(await main(["node", name, ...flags], cli)).toBe(0);
      expect(io.stdout).toBe(VERSION_LINE);
      expect(io.stderr).toBe("");
    }
  });

  it("prints usage with the option list for --help", async () => {
    const { io, cli } = capture();
    expect(await main(["node", "flowgate", "--help"], cli)).toBe(0);
    expect(io.stdout).toMatch(/^Usage: flowgate/);
    expect(io.stdout).toContain(`flowgate ${VERSION}, a drop-in replacement for gh-aw-mcpg (also installed as awmg).`);
    expect(io.stdout).toContain("--version");
  });

  it("rejects an unknown option with exit code 1 and points at --help", async () => {
    const { io, cli } = capture();
    expect(await main(["node", "flowgate", "--no-such-flag"], cli)).toBe(1);
    expect(io.stderr).toContain("unknown option '--no-such-flag'");
    expect(io.stderr).toContain("flowgate --help");
  });

  it.each([[[]], [["--policy", "{}", "--listen", "0.0.0.0:8080"]]])("refuses the reference's proxy mode by name, with exit code 1 (extra arguments %j)", async (extra) => {
    const { io, cli } = capture();
    expect(await main(["node", "awmg", "proxy", ...extra], cli)).toBe(1);
    expect(io.stderr).toContain("proxy mode (the GitHub API filtering proxy of gh-aw-mcpg) is not implemented in flowgate");
    expect(io.stdout).toBe("");
  });

  it("runs as an executable through its bin entry", async () => {
    const bin = new URL("../../bin/flowgate.js", import.meta.url).pathname;
    const { stdout } = await run(process.execPath, [bin, "--version"]);
    expect(stdout).toBe(VERSION_LINE);
  });
});
