// Attack: with --url-domain-audit, observed-url-domains.json records the host of every URL in a
// write sink's arguments and in tool results. An agent that read a secret (allowed in propagate
// mode) smuggles it out as a host name ("https://<secret>.example.com/" sent to a sink), and a
// secret file that holds a URL has its host recorded as soon as the agent reads it. The log
// directory (a CI artifact) must hold neither.
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoGateway, type DemoGateway } from "../../demo/attack.ts";
import { stdioServer } from "../support/mcp-servers.ts";

// The demo's fake API key, in demo/workspace/private/api-keys.txt.
const SECRET = "demo-sk-4f8a1c2e9b7d";
const PRIVATE_HOST = "payments-7c1e.internal.example";
const STDERR_ECHO_SCRIPT = fileURLToPath(new URL("../support/stderr-echo-server.ts", import.meta.url));

let demo: DemoGateway;

beforeAll(async () => {
  const sink = stdioServer("echo", STDERR_ECHO_SCRIPT, { guardPolicies: { "write-sink": { accept: ["private:demo/private"], "sink-visibility": "private" } } });
  demo = await startDemoGateway("propagate", await mkdtemp(join(tmpdir(), "flowgate-url-smuggling-")), { extraServers: [sink], urlDomainAudit: true });
  await writeFile(join(demo.workspace, "notes/links.md"), "Docs: https://docs.public.example/start\n");
  await writeFile(join(demo.workspace, "private/endpoints.txt"), `Payments API: https://${PRIVATE_HOST}/v2\n`);
});

afterAll(async () => {
  await demo?.close();
});

describe("secrets smuggled into observed-url-domains.json", () => {
  it("records the domains of public payloads only, and counts the rest in a warning", async () => {
    const files = await demo.connect("files");
    const echo = await demo.connect("echo");
    // Before the agent holds a secret, both kinds of payload are audited.
    await files.callTool({ name: "read_text_file", arguments: { path: join(demo.workspace, "notes/links.md") } });
    await echo.callTool({ name: "echo", arguments: { message: "see https://public.example/" } });
    // A secret file with a URL in it: the read taints the agent.
    const endpoints = await files.callTool({ name: "read_text_file", arguments: { path: join(demo.workspace, "private/endpoints.txt") } });
    expect(JSON.stringify(endpoints.content)).toContain(PRIVATE_HOST);
    const keys = await files.callTool({ name: "read_text_file", arguments: { path: join(demo.workspace, "private/api-keys.txt") } });
    expect(JSON.stringify(keys.content)).toContain(SECRET);
    // The secret spelled as a subdomain, to a sink that accepts it.
    const sent = await echo.callTool({ name: "echo", arguments: { message: `https://${SECRET}.example.com/` } });
    expect(sent.isError).not.toBe(true);
    await Promise.all([files.close(), echo.close()]);
    await demo.close();

    expect(JSON.parse(await readFile(join(demo.logDir, "observed-url-domains.json"), "utf8"))).toEqual({
      files: ["docs.public.example"],
      "write-sink": ["public.example"],
    });
    const names = await readdir(demo.logDir);
    const texts = await Promise.all(names.map((name) => readFile(join(demo.logDir, name), "utf8")));
    expect(names.filter((_, i) => texts[i]!.includes(SECRET) || texts[i]!.includes(PRIVATE_HOST))).toEqual([]);
    const unified = await readFile(join(demo.logDir, "mcp-gateway.log"), "utf8");
    expect(unified).toContain("URL domain audit: 1 domain(s) under files not recorded");
    expect(unified).toContain("URL domain audit: 1 domain(s) under write-sink not recorded");
  });
});
