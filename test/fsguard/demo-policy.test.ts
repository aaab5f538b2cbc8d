import { describe, expect, it } from "vitest";
import { builtGuardPath } from "../support/guards.ts";
import { GuardHarness } from "../support/guard-harness.ts";
import { demoJson } from "./policy.ts";

describe("the demo's filesystem guard policy and config", () => {
  it("are accepted by the guard and start the agent without clearance at approved integrity, in filter mode", async () => {
    const policy = await demoJson("filesystem-policy.json");
    const payload = { ...policy, "guard-config": await demoJson("filesystem-guard-config.json") };
    const guard = await GuardHarness.load(builtGuardPath("filesystem"));
    expect(guard.callJson("label_agent", payload)).toMatchObject({
      agent: { secrecy: [], integrity: ["none:demo", "unapproved:demo", "approved:demo"] },
      difc_mode: "filter",
      normalized_policy: { private: ["private:demo/private"] },
    });
  });
});
