// What the client gets back for a labelled result: the backend's own result when the items are
// that result and none is hidden, else the reference's JSON array, with isError kept and a
// structuredContent that holds only the visible items, or none.
import { describe, expect, it } from "vitest";
import { enforceResponse, evaluateCoarseAccess, labelResponse } from "../../src/difc/index.ts";
import { agent, resource } from "./helpers.ts";

const PUBLIC = { description: "public", secrecy: [], integrity: [] };
const SECRET = { description: "secret", secrecy: ["private:x"], integrity: [] };

function shown(guardOutput: unknown, rawResult: unknown, toolName = "list_things"): unknown {
  const outcome = enforceResponse({
    agentId: "a",
    serverId: "s",
    toolName,
    operation: "read",
    mode: "filter",
    agent: agent(),
    resource: resource(),
    coarse: evaluateCoarseAccess(agent(), resource(), "read", "filter"),
    labeled: labelResponse(guardOutput, rawResult),
    rawResult,
  });
  if (outcome.kind !== "result") throw new Error(`expected a result, got ${outcome.message}`);
  return outcome.result;
}

const text = (value: string) => ({ type: "text", text: value });
const fileResult = { content: [text("hello")], structuredContent: { content: "hello" }, _meta: { at: 1 } };
const errorResult = { content: [text("ENOENT: no such file")], isError: true };
const listing = { content: [text("[FILE] a.md\n[DIR] notes")], structuredContent: { content: "[FILE] a.md\n[DIR] notes" } };
const sections = { content: [text("/a:\none\n---\n/b:\ntwo")] };
const envelope = { total: 2, items: [{ id: 1 }, { id: 2 }] };
const jsonResult = { content: [text(JSON.stringify(envelope))], structuredContent: envelope };

describe("shape of a labelled result", () => {
  it.each([
    ["one item that is the whole result, structuredContent and _meta included", { items: [{ data: fileResult, labels: PUBLIC }] }, fileResult],
    ["one item that is a whole error result", { items: [{ data: errorResult, labels: PUBLIC }] }, errorResult],
    [
      "the lines of a listing, structuredContent repeating its text",
      {
        items: [
          { data: "[FILE] a.md", labels: PUBLIC },
          { data: "[DIR] notes", labels: PUBLIC },
        ],
      },
      listing,
    ],
    [
      "sections joined by one separator",
      {
        items: [
          { data: "/a:\none", labels: PUBLIC },
          { data: "/b:\ntwo", labels: PUBLIC },
        ],
      },
      sections,
    ],
    [
      "path labels inside the result's JSON",
      { labeled_paths: [{ path: "/items/0", labels: PUBLIC }], items_path: "/items", default_labels: PUBLIC },
      jsonResult,
    ],
  ])("returns the backend's result untouched when none is hidden: %s", (_case, guardOutput, rawResult) => {
    expect(shown(guardOutput, rawResult)).toBe(rawResult);
  });

  it.each([
    ["the guard rewrote the item", { items: [{ data: { ...fileResult, content: [text("hel")] }, labels: PUBLIC }] }, fileResult],
    ["lines that are not the whole text", { items: [{ data: "[FILE] a.md", labels: PUBLIC }] }, listing],
    [
      "an embedded resource beside the labelled text",
      { labeled_paths: [], items_path: "/items", default_labels: PUBLIC },
      { content: [...jsonResult.content, { type: "resource", resource: { uri: "file:///secret", text: "s" } }] },
    ],
    [
      "structuredContent holding more than the text",
      {
        items: [
          { data: "[FILE] a.md", labels: PUBLIC },
          { data: "[DIR] notes", labels: PUBLIC },
        ],
      },
      { ...listing, structuredContent: { content: listing.structuredContent.content, owner: "root" } },
    ],
  ])("keeps the reference's array shape when the items are not the result itself: %s", (_case, guardOutput, rawResult) => {
    const result = shown(guardOutput, rawResult) as { content: { text: string }[]; structuredContent?: unknown };
    expect(result).not.toBe(rawResult);
    expect(result.content[0]!.text.startsWith("[")).toBe(true);
    expect(result.structuredContent).toBeUndefined();
  });

  it.each([
    ["structuredContent is the text's JSON and the items' place in it is known", jsonResult, { total: 2, items: [{ id: 1 }] }],
    ["structuredContent is not the text's JSON", { ...jsonResult, structuredContent: { total: 2 } }, undefined],
    ["the items lie in the text's JSON but there is no structuredContent", { content: jsonResult.content }, undefined],
  ])("gives a filtered collection only a structuredContent with the visible items: %s", (_case, rawResult, structured) => {
    const guardOutput = { labeled_paths: [{ path: "/items/1", labels: SECRET }], items_path: "/items", default_labels: PUBLIC };
    const result = shown(guardOutput, rawResult) as { content: { text: string }[]; structuredContent?: unknown };
    expect(JSON.parse(result.content[0]!.text)).toEqual([{ id: 1 }]);
    expect(result.content[1]!.text).toMatch(/^\[Filtered\]/);
    expect(result.structuredContent).toEqual(structured);
  });

  it("keeps the backend's isError on a filtered collection", () => {
    const failed = { content: [text("partial\nsecret")], isError: true };
    const result = shown(
      {
        items: [
          { data: "partial", labels: PUBLIC },
          { data: "secret", labels: SECRET },
        ],
      },
      failed,
    );
    expect(result).toMatchObject({ content: [text('["partial"]'), { type: "text" }], isError: true });
  });
});
