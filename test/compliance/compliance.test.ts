import { afterAll, describe, expect, it } from "vitest";
import { allGroups } from "./cases/index.ts";
import { runCase } from "./harness.ts";

// The fast subset of `npm run compliance` (the cases marked `fast`): the whole run takes minutes
// (it waits out a 30 s health check and 10 s tool timeouts), which `npm test` should not.
const groups = allGroups();
const fast = groups.flatMap((group) => group.cases.filter((testCase) => testCase.fast));

afterAll(async () => {
  for (const group of groups) await group.cleanup?.();
}, 60_000);

describe("MCP Gateway Specification compliance (fast subset)", () => {
  it.each(fast.map((testCase) => [testCase.id, testCase.title, testCase] as const))(
    "%s %s: passes or is a documented departure",
    async (_id, _title, testCase) => {
      const verdict = await runCase(testCase);
      expect(verdict).not.toMatchObject({ verdict: "fail" });
    },
  );
});
