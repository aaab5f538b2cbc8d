import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { builtGuardPath } from "../support/guards.ts";
import { GuardHarness } from "../support/guard-harness.ts";

describe("the demo's filesystem guard policy", () => {
  it("is accepted by the guard and starts the agent without clearance at approved integrity, in filter mode", async () => {
    const policy: unknown = JSON.parse(await readFile(new URL("../../demo/filesystem-policy.json", import.meta.url), "utf8"));
    const guard = await GuardHarness.load(builtGuardPath("filesystem"));
    expect(guard.callJson("label_agent", policy)).toMatchObject({
      agent: { secrecy: [], integrity: ["none:demo", "unapproved:demo", "approved:demo"] },
      difc_mode: "filter",
    });
  });
});
