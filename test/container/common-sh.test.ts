// The helpers both entrypoint scripts share, called one at a time through bash.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const COMMON = fileURLToPath(new URL("../../container/common.sh", import.meta.url));
const exec = promisify(execFile);

/** Runs `source common.sh; <call>` and returns its status and output. */
async function call(script: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // --norc: bash -c with a socket for stdin (as Node spawns it) would otherwise read ~/.bashrc.
    const { stdout, stderr } = await exec("bash", ["--norc", "-c", `set -euo pipefail; source "$0"; ${script}`, COMMON], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("container/common.sh", () => {
  it.each([
    ["0.0.0.0", "8000", "0.0.0.0:8000"],
    ["::", "8000", "[::]:8000"],
    ["::1", "3000", "[::1]:3000"],
    ["[::1]", "3000", "[::1]:3000"],
    ["gateway.local", "80", "gateway.local:80"],
  ])("listen_address %s %s is %s", async (host, port, expected) => {
    expect((await call(`listen_address '${host}' '${port}'`)).stdout).toBe(`${expected}\n`);
  });

  it.each([
    ["1", true],
    ["true", true],
    ["Yes", true],
    ["on", true],
    ["0", false],
    ["", false],
    ["false", false],
    ["skip", false],
  ])("FLOWGATE_SKIP_DOCKER_CHECKS=%j skips the checks: %s", async (value, skipped) => {
    expect((await call("docker_checks_skipped", { FLOWGATE_SKIP_DOCKER_CHECKS: value })).code).toBe(skipped ? 0 : 1);
  });

  it.each([
    ["1", true],
    ["8000", true],
    ["65535", true],
    ["0", false],
    ["65536", false],
    ["-1", false],
    ["8000 ", false],
    ["1e3", false],
    ["", false],
  ])("require_port accepts %j: %s", async (value, accepted) => {
    const { code, stderr } = await call(`require_port P '${value}'`);
    expect(code).toBe(accepted ? 0 : 1);
    expect(stderr).toBe(accepted ? "" : `[ERROR] P="${value}" is not a TCP port: use a whole number from 1 to 65535\n`);
  });

  it("writes its log lines to stderr, without colours when stderr is not a terminal, and nothing to stdout", async () => {
    const { stdout, stderr } = await call("log_info one; log_warn two; log_error three");
    expect(stdout).toBe("");
    expect(stderr).toBe("[INFO] one\n[WARN] two\n[ERROR] three\n");
  });

  it("exports DOCKER_API_VERSION: kept when set, else 1.44 when the daemon is not asked", async () => {
    const print = "export_docker_api_version 2>/dev/null; printenv DOCKER_API_VERSION";
    expect((await call(print, { DOCKER_API_VERSION: "1.41" })).stdout).toBe("1.41\n");
    expect((await call(print, { FLOWGATE_SKIP_DOCKER_CHECKS: "1" })).stdout).toBe("1.44\n");
  });
});
