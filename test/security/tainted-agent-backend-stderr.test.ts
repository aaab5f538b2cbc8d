// Attack: an agent that read a secret (allowed in propagate mode) sends it to a sink that accepts
// it and whose process echoes its arguments on stderr, as a server's debug output may. The call's
// own records are redacted, but the gateway logs every stderr line of a backend in
// mcp-gateway.log and <server>.log: the log directory (a CI artifact) would hold the secret.
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoGateway, type DemoGateway } from "../../demo/attack.ts";
import { stdioServer } from "../support/mcp-servers.ts";

// The demo's fake API key, in demo/workspace/private/api-keys.txt.
const SECRET = "demo-sk-4f8a1c2e9b7d";
const STDERR_ECHO_SCRIPT = fileURLToPath(new URL("../support/stderr-echo-server.ts", import.meta.url));

let demo: DemoGateway;

beforeAll(async () => {
  const sink = stdioServer("echo", STDERR_ECHO_SCRIPT, { guardPolicies: { "write-sink": { accept: ["private:demo/private"], "sink-visibility": "private" } } });
  demo = await startDemoGateway("propagate", await mkdtemp(join(tmpdir(), "flowgate-backend-stderr-")), { extraServers: [sink] });
});

afterAll(async () => {
  await demo?.close();
});

describe("a tainted agent's secret echoed on a backend's stderr", () => {
  it("reaches the sink, but no log file holds it: the stderr line is logged as a redaction marker", async () => {
    const echo = await demo.connect("echo");
    // Before the agent is tainted, the server's stderr is logged as it is.
    await echo.callTool({ name: "echo", arguments: { message: "public-before-the-read" } });
    const files = await demo.connect("files");
    const read = await files.callTool({ name: "read_text_file", arguments: { path: join(demo.workspace, "private/api-keys.txt") } });
    expect(JSON.stringify(read.content)).toContain(SECRET);
    const sent = await echo.callTool({ name: "echo", arguments: { message: SECRET } });
    expect(sent.isError).not.toBe(true);
    await Promise.all([echo.close(), files.close()]);
    await demo.close();

    const names = await readdir(demo.logDir);
    const texts = await Promise.all(names.map((name) => readFile(join(demo.logDir, name), "utf8")));
    expect(names.filter((_, i) => texts[i]!.includes(SECRET))).toEqual([]);
    const serverLog = await readFile(join(demo.logDir, "echo.log"), "utf8");
    expect(serverLog).toContain("[stderr] public-before-the-read");
    expect(serverLog).toMatch(/\[stderr\] \(redacted: secrecy, sha256 [0-9a-f]{16}\)/);
  });
});
