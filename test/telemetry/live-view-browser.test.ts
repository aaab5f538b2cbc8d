// The live view as an operator uses it, in headless Chromium: open /ui, give a wrong key (an error,
// no data), then the right one, and watch the demo attack; the blocked write to the public memory
// sink shows within 2 s of the agent getting its refusal. The key travels only in the
// Authorization header: no URL the page asked for holds it. UPDATE_SCREENSHOT=1 writes the page
// as it ends to docs/observability-ui.png.
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoGateway, type DemoGateway } from "../../demo/attack.ts";
import { displayedAgentId } from "../../src/gateway/http/auth.ts";
import { CHROMIUM, launchChromium, NO_CHROMIUM_REASON, type Chromium } from "../support/chromium.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

const SCREENSHOT = fileURLToPath(new URL("../../docs/observability-ui.png", import.meta.url));
const SHOWN_WITHIN_MS = 2000;

let scratch = "";
let demo: DemoGateway;
let browser: Chromium;
let page: Page;
const requests: Array<{ url: string; authorization: string | undefined }> = [];

const suite = CHROMIUM ? "the live view in a browser" : `the live view in a browser (${NO_CHROMIUM_REASON})`;

describe.skipIf(!CHROMIUM)(suite, () => {
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "flowgate-live-view-browser-"));
    demo = await startDemoGateway("propagate", scratch, {
      extraServers: [
        stdioServer("limited", EVERYTHING_SCRIPT, {
          guardPolicies: { "allow-only": { repos: "all", "min-integrity": "none", "tool-call-limits": { echo: 3 } } },
        }),
      ],
    });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on("request", (request) => requests.push({ url: request.url(), authorization: request.headers()["authorization"] }));
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it.each([
    ["a wrong key", "not-the-key", "The gateway refused the key: invalid API key."],
    ["a key no header can carry", "key\u2603", "The key holds characters an Authorization header cannot carry: paste the gateway's agent id as it is."],
  ])("shows an error and no data for %s, and refuses the stream to a request without one", async (_what, key, error) => {
    await page.goto(`${demo.base}/ui`);
    await page.fill("#key", key);
    await page.click("#login button[type=submit]");
    await page.locator("#error").waitFor({ state: "visible" });
    expect(await page.textContent("#error")).toBe(error);
    expect(await page.isHidden("#view")).toBe(true);
    expect(await page.locator("#decisions tbody tr, #agents tbody tr, #servers tbody tr").count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.evaluate(async () => (await fetch("/ui/events")).status)).toBe(401);
  });

  it("shows the blocked write to the public sink within 2 s of the agent's refusal, with the servers and the agent's labels", async () => {
    await page.fill("#key", demo.agentId);
    await page.click("#login button[type=submit]");
    await page.locator("#servers tbody tr", { hasText: "memory" }).waitFor();
    expect(await page.isHidden("#error")).toBe(true);

    const clients: Client[] = await Promise.all([demo.connect("files"), demo.connect("memory"), demo.connect("limited")]);
    const [files, memory, limited] = clients as [Client, Client, Client];
    try {
      await limited.callTool({ name: "echo", arguments: { message: "hello" } });
      await files.callTool({ name: "list_directory", arguments: { path: demo.workspace } });
      const secret = await files.callTool({ name: "read_text_file", arguments: { path: join(demo.workspace, "private/salaries.md") } });
      const leak = memory.callTool({
        name: "create_entities",
        arguments: { entities: [{ name: "salaries", entityType: "note", observations: [JSON.stringify(secret.content)] }] },
      });
      await expect(leak).rejects.toThrow(/secrecy/i);
      const refused = performance.now();
      const row = page.locator('#decisions tbody tr[data-decision="denied"]', { hasText: "create_entities" });
      await row.waitFor({ timeout: SHOWN_WITHIN_MS });
      expect(performance.now() - refused).toBeLessThan(SHOWN_WITHIN_MS);
      const cells = await row.locator("td").allTextContents();
      expect(cells.slice(1)).toEqual(["memory", "create_entities", "denied", "secrecy", "", displayedAgentId(demo.agentId)]);

      // The rest of the attack: the untrusted mail is read, and the write it asks for is refused too.
      await files.callTool({ name: "read_text_file", arguments: { path: join(demo.workspace, "inbox/vendor-update.md") } });
      await expect(
        files.callTool({ name: "write_file", arguments: { path: join(demo.workspace, "notes/launch-plan.md"), content: "# Launch plan\n\nMoved.\n" } }),
      ).rejects.toThrow();
      await page.locator('#decisions tbody tr[data-decision="denied"]', { hasText: "write_file" }).waitFor({ timeout: SHOWN_WITHIN_MS });
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }

    const agent = page.locator("#agents tbody tr", { hasText: displayedAgentId(demo.agentId) });
    await agent.locator("td", { hasText: "limited/echo: 1 / 3" }).waitFor();
    expect(await agent.locator("td").nth(1).textContent()).toContain("private");
    const shot = join(scratch, "observability-ui.png");
    await page.screenshot({ path: shot, fullPage: true, animations: "disabled" });
    if (process.env["UPDATE_SCREENSHOT"] === "1") await copyFile(shot, SCREENSHOT);
  });

  it("never puts the key in a URL, and sends it in the Authorization header of the stream's requests", () => {
    const pageRequests = requests.filter((request) => request.url.startsWith(demo.base));
    expect(pageRequests.map((request) => new URL(request.url).pathname)).toEqual(expect.arrayContaining(["/ui", "/ui/app.js", "/ui/style.css", "/ui/events"]));
    for (const request of requests) {
      expect(request.url).not.toContain(demo.agentId);
      expect(request.url).not.toContain(encodeURIComponent(demo.agentId));
    }
    const streams = pageRequests.filter((request) => new URL(request.url).pathname === "/ui/events");
    expect(streams.map((request) => request.authorization)).toContain(demo.agentId);
  });
});
