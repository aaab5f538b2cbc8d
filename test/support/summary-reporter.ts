import type { Reporter, SerializedError, TestModule, TestRunEndReason } from "vitest/node";

interface RunCounts {
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * Counts a run as CI should read it: tests by state, plus every failure that has no test state
 * of its own. A file that fails to import or a throwing `beforeAll` leaves its tests unrun or
 * skipped, and an unhandled error leaves every test passed, yet each means the run failed.
 */
function countRun(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>, reason: TestRunEndReason): RunCounts {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const module of testModules) {
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === "passed") counts.passed++;
      else if (state === "failed") counts.failed++;
      else counts.skipped++;
    }
    counts.failed += suiteFailures(module);
  }
  counts.failed += unhandledErrors.length;
  if (reason === "failed" && counts.failed === 0) counts.failed = 1;
  return counts;
}

/** Failures of the file or of its suites (hooks, collection), which no test's state shows. */
function suiteFailures(module: TestModule): number {
  let failures = module.errors().length;
  for (const suite of module.children.allSuites()) failures += suite.errors().length;
  return failures;
}

/**
 * Ends the run with one plain line, "N passed, N failed, N skipped", which CI reads whatever the
 * runner; vitest's own summary stays above it.
 */
export default class SummaryLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const counts = countRun(testModules, unhandledErrors, reason);
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
