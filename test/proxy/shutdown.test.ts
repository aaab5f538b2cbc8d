// `flowgate proxy` stopped by SIGTERM while a read is in flight: the read may finish within the
// shutdown timeout (MCP_GATEWAY_SHUTDOWN_TIMEOUT, as the reference's proxy reads it), else it is
// cut at the timeout and the process exits 1, as the reference's does when its drain times out.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGithub } from "../support/fake-github.ts";
import { spawnProxyProcess } from "../support/github-proxy.ts";
import { builtGuardPath } from "../support/guards.ts";

const ISSUES = "/repos/octo/pub/issues";
let github: FakeGithub;

beforeAll(async () => {
  github = await new FakeGithub().start();
});

afterAll(async () => {
  await github.close();
});

describe("proxy shutdown with a read in flight", () => {
  it.each([
    {
      outcome: "the read answered during the drain reaches the client, and the proxy exits 0",
      shutdownTimeout: "60s",
      upstreamAnswers: true,
      expected: { exit: 0, read: "Owner issue in public repo", stderr: "requests in flight have up to 60000 ms to finish" },
    },
    {
      outcome: "the read still waiting at the timeout is cut, and the proxy exits 1 saying so",
      shutdownTimeout: "300ms",
      upstreamAnswers: false,
      expected: { exit: 1, read: "cut", stderr: "requests still in flight after the 300 ms shutdown timeout were cut" },
    },
  ])("$outcome", async ({ shutdownTimeout, upstreamAnswers, expected }) => {
    const proxy = await spawnProxyProcess(
      [
        "--listen",
        "127.0.0.1:0",
        "--log-dir",
        mkdtempSync(join(tmpdir(), "flowgate-proxy-logs-")),
        "--guard-wasm",
        builtGuardPath("github-lite"),
        "--github-api-url",
        github.url,
      ],
      {
        MCP_GATEWAY_GUARD_POLICY_JSON: JSON.stringify({ "allow-only": { repos: "public", "min-integrity": "approved" } }),
        MCP_GATEWAY_SHUTDOWN_TIMEOUT: shutdownTimeout,
      },
    );
    const upstream = github.hold(ISSUES);
    const read = fetch(`${proxy.url}${ISSUES}`).then(
      async (response) => `${response.status} ${await response.text()}`,
      () => "cut",
    );
    await upstream.arrived;
    proxy.child.kill("SIGTERM");
    // The drain has begun once this is printed (or the process is gone without one).
    await Promise.race([proxy.printed("Shutting down proxy"), proxy.exit]);
    if (upstreamAnswers) upstream.release();
    expect(await proxy.exit).toBe(expected.exit);
    expect(await read).toContain(expected.read);
    expect(proxy.stderr()).toContain(expected.stderr);
    upstream.release();
  });
});
