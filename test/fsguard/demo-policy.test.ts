import { describe, expect, it } from "vitest";
import { builtGuardPath } from "../support/guards.ts";
import { GuardHarness } from "../support/guard-harness.ts";
import { demoGuardPayload } from "./policy.ts";

describe("the demo's filesystem guard policy and config (demo/flowgate.toml)", () => {
  it("are accepted by the guard and start the agent without clearance at approved integrity, in filter mode", async () => {
    const payload = await demoGuardPayload();
    const guard = await GuardHarness.load(builtGuardPath("filesystem"));
    expect(guard.callJson("label_agent", payload)).toMatchObject({
      agent: { secrecy: [], integrity: ["none:demo", "unapproved:demo", "approved:demo"] },
      difc_mode: "filter",
      normalized_policy: { private: ["private:demo/private"] },
    });
  });
});
