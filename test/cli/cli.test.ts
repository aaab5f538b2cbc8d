import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { VERSION } from "../../src/cli/version.ts";

const run = promisify(execFile);

function capture() {
  const io = { stdout: "", stderr: "" };
  return { io, cli: { out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) } };
}

describe("flowgate CLI", () => {
  it.each([["--version"], ["-V"]])("prints the package version for %s", async (flag) => {
    const { io, cli } = capture();
    expect(await main(["node", "flowgate", flag], cli)).toBe(0);
    expect(io.stdout.trim()).toBe(VERSION);
  });

  it("prints usage with the option list for --help", async () => {
    const { io, cli } = capture();
    expect(await main(["node", "flowgate", "--help"], cli)).toBe(0);
    expect(io.stdout).toMatch(/^Usage: flowgate/);
    expect(io.stdout).toContain("--version");
  });

  it("rejects an unknown option with exit code 1 and points at --help", async () => {
    const { io, cli } = capture();
    expect(await main(["node", "flowgate", "--no-such-flag"], cli)).toBe(1);
    expect(io.stderr).toContain("unknown option '--no-such-flag'");
    expect(io.stderr).toContain("flowgate --help");
  });

  it("runs as an executable through its bin entry", async () => {
    const bin = new URL("../../bin/flowgate.js", import.meta.url).pathname;
    const { stdout } = await run(process.execPath, [bin, "--version"]);
    expect(stdout.trim()).toBe(VERSION);
  });
});
