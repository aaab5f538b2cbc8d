import { describe, expect, it } from "vitest";
import { playAttack, type Verdict } from "../../demo/attack.ts";

// The demo attack in every mode, through a real flowgate in front of server-filesystem (behind
// the filesystem guard) and server-memory (a public write sink), as an MCP client plays it.
const expected: Record<"strict" | "filter" | "propagate", Verdict[]> = {
  // strict: a listing with any hidden entry is refused whole; reads are refused; nothing secret is ever held
  strict: ["blocked", "blocked", "allowed", "blocked", "allowed"],
  // filter: hidden entries with a notice; private and untrusted reads refused; labels never change
  filter: ["filtered", "blocked", "allowed", "blocked", "allowed"],
  // propagate: reads allowed and taint the agent; the leak to the sink and the steered write are refused
  propagate: ["allowed", "allowed", "blocked", "allowed", "blocked"],
};

describe("the demo attack", () => {
  it.each(Object.entries(expected))("blocks every leak in %s mode, with the verdict of each step", async (mode, verdicts) => {
    const report = await playAttack(mode as keyof typeof expected);
    expect(report.steps.map((step) => step.verdict)).toEqual(verdicts);
    expect(report.leaks).toEqual([]);
  });

  it("shows on /reflect what the agent absorbed in propagate mode, step by step", async () => {
    const report = await playAttack("propagate");
    const [listed, read, , mail] = report.steps;
    expect(listed!.agent.secrecy).toEqual(["private:demo/private"]);
    expect(read!.agent.secrecy).toEqual(["private:demo/private"]);
    // listing the inbox already lowered the agent's integrity to the untrusted folder's
    expect(mail!.agent.integrity).toEqual(["none:demo"]);
    expect(report.steps[4]!.detail).toContain("DIFC Violation: Agent lacks required integrity");
  });

  it("keeps the agent's labels unchanged in filter mode and names the policy that hid each item", async () => {
    const report = await playAttack("filter");
    for (const step of report.steps) {
      expect(step.agent).toEqual({ secrecy: [], integrity: ["approved:demo", "none:demo", "unapproved:demo"] });
    }
    expect(report.steps[0]!.detail).toContain("[Filtered] 2 item(s) in this response were removed");
    expect(report.steps[1]!.detail).toContain("filtered by secrecy policy");
    expect(report.steps[3]!.detail).toContain("filtered by integrity policy");
  });
});
