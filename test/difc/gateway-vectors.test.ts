import { describe, expect, it } from "vitest";
import {
  accessDeniedLogMessage,
  consumeToolCall,
  enforceResponse,
  evaluateCoarseAccess,
  formatViolationError,
  guardInitFailedError,
  guardLabelingFailedError,
  labelResponse,
  responseLabelingFailedError,
  shouldCallLabelResponse,
  strictBlockLogMessage,
  type AgentLabels,
  type EnforcementMode,
  type Operation,
  type ResourceLabels,
} from "../../src/difc/index.ts";
import { agent, resource } from "./helpers.ts";

const raw = { content: [{ type: "text", text: '{"ok":true}' }] };

/** Phases 2 and 4–7 for one call, with the guard's label_response output given as parsed JSON. */
function call(opts: { mode: EnforcementMode; toolName: string; a?: AgentLabels; res?: ResourceLabels; op?: Operation; guardOutput?: unknown }) {
  const a = opts.a ?? agent();
  const res = opts.res ?? resource();
  const op = opts.op ?? "read";
  const coarse = evaluateCoarseAccess(a, res, op, opts.mode);
  if (coarse.kind === "denied") return { kind: "denied" as const, message: formatViolationError(coarse.evaluation, a, res) };
  return enforceResponse({
    agentId: "agent-7",
    serverId: "github",
    toolName: opts.toolName,
    operation: op,
    mode: opts.mode,
    agent: a,
    resource: res,
    coarse,
    labeled: labelResponse(opts.guardOutput ?? null, raw),
    rawResult: raw,
  });
}

const legacy = (...items: Array<{ data: unknown; s?: string[]; description?: string }>) => ({
  items: items.map(({ data, s = [], description = "" }) => ({ data, labels: { description, secrecy: s, integrity: [] } })),
});

const twoIssues = legacy({ data: { id: 1 }, description: "item1" }, { data: { id: 2 }, s: ["private:restricted/repo"], description: "item2" });

describe("gateway behaviour at the engine's boundary (difc.md §8.7)", () => {
  it("vector 80: a write the guard labels approved-only is denied before the backend, with the DIFC Violation text", () => {
    const outcome = call({ mode: "strict", toolName: "create_item", op: "write", res: resource([], ["approved:some/repo"]) });
    expect(outcome.kind).toBe("denied");
    expect(outcome.kind === "denied" && outcome.message.startsWith("DIFC Violation: ")).toBe(true);
  });

  it("vector 81 (diverges, fails closed): a coarse-denied read without response labels is refused, not passed through", () => {
    const outcome = call({ mode: "filter", toolName: "read_tool", res: resource(["private:some/repo"]) });
    expect(outcome.kind).toBe("error");
    expect(outcome.kind === "error" && outcome.message).toMatch(/^DIFC Violation: Resource 'res' has secrecy requirements/);
  });

  it("vector 81: a read allowed by the coarse check without response labels returns the raw result", () => {
    const outcome = call({ mode: "filter", toolName: "read_tool", a: agent(["private:some/repo"]), res: resource(["private:some/repo"]) });
    expect(outcome).toMatchObject({ kind: "result", result: raw });
  });

  it("vector 82: strict mode refuses a collection with one inaccessible item", () => {
    const outcome = call({ mode: "strict", toolName: "list_issues", guardOutput: twoIssues });
    expect(outcome.kind === "error" && outcome.message).toBe("DIFC policy violation: 1 of 2 items in response are not accessible to agent agent-7");
    expect(outcome.kind === "error" && outcome.records).toEqual([]);
  });

  it("vector 83: filter mode returns the accessible items as one JSON array plus the notice", () => {
    const outcome = call({ mode: "filter", toolName: "list_issues", guardOutput: twoIssues });
    expect(outcome.kind).toBe("result");
    if (outcome.kind !== "result") return;
    expect(outcome.result).toEqual({
      content: [
        { type: "text", text: '[{"id":1}]' },
        {
          type: "text",
          text:
            "[Filtered] 1 item(s) in this response were removed by secrecy policy and are not shown: item2 (Resource 'item2' has " +
            "secrecy requirements that agent doesn't meet. The agent is not authorized to access private (restricted/repo)-scoped data.).",
        },
      ],
    });
    expect(outcome.records).toEqual([
      {
        serverId: "github",
        toolName: "list_issues",
        description: "item2",
        reason: expect.stringContaining("secrecy requirements") as unknown,
        secrecyTags: ["private:restricted/repo"],
        integrityTags: [],
      },
    ]);
  });

  const single = legacy({ data: { number: 42 }, s: ["private:org/repo"], description: "issue:org/repo#42" });

  it("vector 84: a singular read tool whose only item is filtered fails with the [Filtered] text", () => {
    const outcome = call({ mode: "filter", toolName: "issue_read", guardOutput: single });
    expect(outcome.kind === "error" && outcome.message).toMatch(/^\[Filtered\] issue:org\/repo#42 exists but is not accessible/);
    expect(outcome.kind === "error" && outcome.records.map((r) => r.number)).toEqual(["42"]);
  });

  it("vector 85: a list tool whose only item is filtered succeeds with an empty list and the notice", () => {
    const outcome = call({ mode: "filter", toolName: "list_issues", guardOutput: single });
    expect(outcome.kind === "result" && outcome.result).toMatchObject({
      content: [{ text: "[]" }, { text: expect.stringMatching(/^\[Filtered\]/) as unknown }],
    });
  });

  it("vector 86: an empty path-labelled collection succeeds with [] and no notice", () => {
    const empty = { content: [{ type: "text", text: "[]" }] };
    const outcome = enforceResponse({
      agentId: "a",
      serverId: "s",
      toolName: "list_issues",
      operation: "read",
      mode: "filter",
      agent: agent(),
      resource: resource(),
      coarse: evaluateCoarseAccess(agent(), resource(), "read", "filter"),
      labeled: labelResponse({ labeled_paths: [] }, empty),
      rawResult: empty,
    });
    expect(outcome.kind === "result" && outcome.result).toEqual({ content: [{ type: "text", text: "[]" }] });
  });

  it.each([
    [87, guardLabelingFailedError("boom"), "guard labeling failed"],
    [88, responseLabelingFailedError("boom"), "response labeling failed"],
    [90, guardInitFailedError("LabelAgent failed: boom"), "guard session initialization failed"],
  ])("vector %i: the pipeline error text contains %j", (_n, text, expected) => {
    expect(text).toContain(expected);
    expect(text.endsWith("boom")).toBe(true);
  });

  it("vector 88: the response-labelling prefix appears once", () => {
    expect(responseLabelingFailedError("x")).toBe("response labeling failed: x");
  });

  it("vector 89: label_response is never asked for a write", () => {
    expect((["strict", "filter", "propagate"] as const).some((mode) => shouldCallLabelResponse("write", mode))).toBe(false);
  });

  it("vector 91: a propagate read without response labels taints the agent with the resource's secrecy", () => {
    const outcome = call({ mode: "propagate", toolName: "list_files", res: resource(["private:org/repo"]) });
    expect(outcome.kind === "result" && [...(outcome.absorb?.secrecy ?? [])]).toEqual(["private:org/repo"]);
  });

  it("vector 92: a limit of 2 allows two calls, refuses the third, and a new session starts afresh", () => {
    const limits = new Map([["issue_read", 2]]);
    const session = new Map<string, number>();
    const results = [1, 2, 3].map(() => consumeToolCall(limits, session, "issue_read"));
    expect(results).toEqual([null, null, 'tool call limit reached for "issue_read" (max: 2)']);
    expect(session.get("issue_read")).toBe(2);
    expect(consumeToolCall(limits, new Map(), "issue_read")).toBeNull();
  });

  it("vector 93: a limit of 0 and an unlisted tool are unlimited", () => {
    const limits = new Map([["zero_limit_tool", 0]]);
    const session = new Map<string, number>();
    const calls = ["zero_limit_tool", "zero_limit_tool", "zero_limit_tool", "unlisted_tool", "unlisted_tool"];
    expect(calls.map((tool) => consumeToolCall(limits, session, tool))).toEqual([null, null, null, null, null]);
  });
});

describe("DIFC warning log lines (difc.md §5.3)", () => {
  it("words the strict block and the per-item denial like the reference", () => {
    expect(strictBlockLogMessage(1, 2)).toBe("STRICT MODE: Blocking entire response - 1/2 items violate DIFC policy");
    expect(accessDeniedLogMessage("agent-7", "item2", "because")).toBe("Access DENIED for agent agent-7 to item2: because");
  });
});
