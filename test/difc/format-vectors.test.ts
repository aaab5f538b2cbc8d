import { describe, expect, it } from "vitest";
import {
  difcPolicyLabel,
  filteredNotice,
  formatIntegrityLevel,
  formatSecrecyLevel,
  formatViolationError,
  evaluate,
  isSingularReadTool,
  singleItemDeniedError,
} from "../../src/difc/index.ts";
import { agent, resource } from "./helpers.ts";

describe("formatting (difc.md §8.8)", () => {
  it.each([
    [[], "none"],
    [["merged:org/repo"], '"merged"'],
    [["approved", "merged"], '"merged"'],
    [["approved:all"], '"approved"'],
    [["unapproved"], '"unapproved"'],
    [["approved", "unapproved"], '"approved"'],
    [["unapproved", "approved"], '"approved"'],
    [["custom-tag"], "[custom-tag]"],
    [[":approved"], "[:approved]"],
  ])("vector 94: formatIntegrityLevel(%j) = %s", (tags, expected) => {
    expect(formatIntegrityLevel(tags)).toBe(expected);
  });

  it.each([
    [[], "public"],
    [["private:org/repo"], "private (org/repo)"],
    [["private:org", "private:org/repo"], "private (org/repo)"],
    [["private"], "private"],
    [["private:"], "[private:]"],
    [["internal"], "[internal]"],
    [["other", "private:myorg"], "private (myorg)"],
  ])("vector 95: formatSecrecyLevel(%j) = %s", (tags, expected) => {
    expect(formatSecrecyLevel(tags)).toBe(expected);
  });

  const item = (isSecrecyViolation: boolean, description = "d", reason = "r") => ({ description, reason, isSecrecyViolation });

  it.each([
    [[item(true), item(true)], "secrecy policy"],
    [[item(false), item(false)], "integrity policy"],
    [[item(true), item(false)], "access policy"],
    [[], "access policy"],
  ])("vector 96: difcPolicyLabel of %j = %s", (items, expected) => {
    expect(difcPolicyLabel(items)).toBe(expected);
  });

  it("vector 97: more than five filtered items give the count-only notice", () => {
    const items = Array.from({ length: 6 }, (_, i) => item(true, `issue:o/r#${i}`));
    expect(filteredNotice(items)).toBe("[Filtered] 6 item(s) in this response were removed by secrecy policy and are not shown.");
  });

  it("vector 98: one item with a description and no reason names the item", () => {
    expect(filteredNotice([item(true, "issue:org/repo#42", "")])).toBe(
      "[Filtered] 1 item(s) in this response were removed by secrecy policy and are not shown: issue:org/repo#42.",
    );
  });

  it.each([
    [[item(false, "a", "ra"), item(false, "", "rb"), item(false, "", "")], "removed by integrity policy and are not shown: a (ra); rb."],
    [[item(true, "", "")], "removed by secrecy policy and are not shown."],
    [[], null],
  ])("notice parts: description (reason), reason alone, nothing for neither (%#)", (items, ending) => {
    const notice = filteredNotice(items);
    if (ending === null) expect(notice).toBeNull();
    else expect(notice?.endsWith(ending)).toBe(true);
  });

  it.each([
    [item(true, "issue:org/repo#42", "why"), "[Filtered] issue:org/repo#42 exists but is not accessible \u2014 filtered by secrecy policy (why)"],
    [item(false, "", ""), "[Filtered] resource exists but is not accessible \u2014 filtered by integrity policy"],
  ])("the single-item error for %j", (entry, expected) => {
    expect(singleItemDeniedError(entry)).toBe(expected);
  });

  it.each([
    ["issue_read", true],
    ["get_issue", true],
    ["get_file_contents", true],
    ["list_issues", false],
    ["search_code", false],
  ])("vector 99: isSingularReadTool(%s) = %s", (tool, expected) => {
    expect(isSingularReadTool(tool)).toBe(expected);
  });
});

describe("reason texts (difc.md §5.1)", () => {
  it.each([
    {
      case: "read integrity",
      result: evaluate(agent([], ["approved:o/r"]), resource([], [], "issue #1"), "read", "strict"),
      reason: "Resource 'issue #1' has lower integrity than agent requires. The agent cannot read data with integrity below \"approved\".",
    },
    {
      case: "read secrecy",
      result: evaluate(agent(), resource(["private:o/r"], [], "issue #1"), "read", "filter"),
      reason: "Resource 'issue #1' has secrecy requirements that agent doesn't meet. The agent is not authorized to access private (o/r)-scoped data.",
    },
    {
      case: "write integrity",
      result: evaluate(agent(), resource([], ["merged:o/r"], "sink"), "write", "strict"),
      reason: "Agent lacks required integrity to write to 'sink'. The agent's integrity level is insufficient; it needs \"merged\" integrity.",
    },
    {
      case: "write secrecy",
      result: evaluate(agent(["private"]), resource([], [], "sink"), "write", "propagate"),
      reason:
        "Agent carries private-scoped data that cannot be written to 'sink' due to secrecy constraints. The target resource is not authorized to receive this sensitive data.",
    },
    {
      case: "propagate read",
      result: evaluate(agent([], ["b", "a"]), resource(["s2", "s1"], []), "read", "propagate"),
      reason: "Read allowed with label propagation: adding secrecy tags [s1 s2] and dropping integrity tags [a b]",
    },
    {
      case: "propagate read, integrity only",
      result: evaluate(agent([], ["a"]), resource(), "read", "propagate"),
      reason: "Read allowed with label propagation: dropping integrity tags [a]",
    },
  ])("$case", ({ result, reason }) => {
    expect(result.reason).toBe(reason);
  });
});

describe("coarse-deny error text (difc.md §5.2)", () => {
  it("explains a secrecy denial with the action, its implications and both labels", () => {
    const a = agent(["private:o/r"], ["x"]);
    const r = resource([], ["x"], "public sink");
    expect(formatViolationError(evaluate(a, r, "write", "strict"), a, r)).toBe(
      [
        "DIFC Violation: Agent carries private (o/r)-scoped data that cannot be written to 'public sink' due to secrecy constraints. The target resource is not authorized to receive this sensitive data.",
        "",
        "Required Action: Add secrecy tags [private:o/r]",
        "",
        "Implications of adding secrecy tags:",
        "  - Agent will be restricted from writing to resources that lack these tags",
        "  - This includes public resources (e.g., public repositories, public internet)",
        "  - Agent will be marked as handling sensitive information",
        "  - Future writes must target resources with tags: [private:o/r]",
        "",
        "Current Agent Labels:",
        "  Secrecy: [private:o/r]",
        "  Integrity: [x]",
        "",
        "Resource Requirements:",
        "  Secrecy: []",
        "  Integrity: [x]",
        "",
      ].join("\n"),
    );
  });

  it("explains an integrity denial with the drop action", () => {
    const a = agent();
    const r = resource([], ["b", "a"], "main");
    const text = formatViolationError(evaluate(a, r, "write", "strict"), a, r);
    expect(text).toContain("DIFC Violation: Agent lacks required integrity to write to 'main'.");
    expect(text).toContain(
      [
        "Required Action: Drop integrity tags [a b]",
        "",
        "Implications of dropping integrity tags:",
        "  - Agent will no longer be able to write to high-integrity resources",
        "  - Specifically, agent cannot write to resources requiring tags: [a b]",
        "  - This action acknowledges that agent has been influenced by lower-integrity data",
        "  - Agent's outputs will be considered less trustworthy",
        "",
        "Current Agent Labels:",
      ].join("\n"),
    );
    expect(text).not.toContain("Add secrecy tags");
  });
});
