import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/build-guards.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
    // A focused test left in a commit would silently skip the rest of the suite in CI.
    allowOnly: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
