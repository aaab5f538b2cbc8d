// Debian's headless Chromium driven by playwright-core, for tests of what a page shows: a fresh
// profile of its own each time, no network but the loopback the test serves on. Tests skip,
// naming the reason, where Chromium is not installed.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

const CHROMIUM_PATH = "/usr/bin/chromium";

/** Whether Debian's chromium is installed. */
export const CHROMIUM = existsSync(CHROMIUM_PATH);
/** For the names of tests that cannot run here. */
export const NO_CHROMIUM_REASON = `skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium)`;

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  const profile = await mkdtemp(join(tmpdir(), "flowgate-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
