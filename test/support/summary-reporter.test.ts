import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const vitestBin = fileURLToPath(new URL("../../node_modules/vitest/vitest.mjs", import.meta.url));

function summaryLine(fixture: string): { line: string | undefined; status: number | null } {
  const run = spawnSync(process.execPath, [vitestBin, "run", "--config", "test/fixtures/reporter/vitest.config.ts"], {
    cwd: root,
    env: { ...process.env, FIXTURE: fixture },
    encoding: "utf8",
    timeout: 60_000,
  });
  const line = run.stdout.split("\n").findLast((text) => /^\d+ passed, \d+ failed, \d+ skipped$/.test(text));
  return { line, status: run.status };
}

describe("the closing summary line", () => {
  it.each([
    ["a file that fails to import", "import-fails.fixture.ts", "0 passed, 1 failed, 0 skipped", 1],
    ["a beforeAll that throws", "before-all-throws.fixture.ts", "0 passed, 1 failed, 2 skipped", 1],
    ["an unhandled error after passing tests", "unhandled-error.fixture.ts", "3 passed, 1 failed, 0 skipped", 1],
    ["a clean run", "all-pass.fixture.ts", "1 passed, 0 failed, 1 skipped", 0],
  ])("counts the failures of %s", (_case, fixture, expected, status) => {
    const run = summaryLine(fixture);
    expect(run.line).toBe(expected);
    expect(run.status).toBe(status);
  });
});
