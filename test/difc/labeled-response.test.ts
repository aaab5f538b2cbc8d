import { describe, expect, it } from "vitest";
import {
  DIFC_FILTERED_SCHEMA,
  ResponseLabelingError,
  difcFilteredFields,
  difcFilteredJson,
  difcFilteredLogMessage,
  labelResponse,
  unwrapToolResult,
} from "../../src/difc/index.ts";
import { resource, sorted } from "./helpers.ts";

const wrap = (value: unknown) => ({ content: [{ type: "text", text: JSON.stringify(value) }] });
const labels = (description: string, secrecy: string[] = [], integrity: string[] = []) => ({ description, secrecy, integrity });

function summary(output: unknown, result: unknown) {
  const collection = labelResponse(output, result);
  return collection?.items.map((item) => ({ data: item.data, d: item.labels.description, s: sorted(item.labels.secrecy) })) ?? null;
}

describe("label_response output → labelled collection (guard-abi.md §3.5)", () => {
  it.each([
    ["null output", null],
    ["no labeled_paths, no items", { other: 1 }],
    ["an empty legacy items list", { items: [] }],
  ])("gives no fine-grained labels for %s", (_name, output) => {
    expect(labelResponse(output, wrap([1]))).toBeNull();
  });

  it("reads the legacy items format, skipping non-object elements and keeping tags verbatim", () => {
    const output = { items: [{ data: { a: 1 }, labels: labels("one", [" private:x "]) }, 7, { data: 2, labels: labels("two") }] };
    expect(summary(output, null)).toEqual([
      { data: { a: 1 }, d: "one", s: [" private:x "] },
      { data: 2, d: "two", s: [] },
    ]);
  });

  it("refuses a legacy item without labels instead of treating it as public", () => {
    expect(() => labelResponse({ items: [{ data: 1 }] }, null)).toThrow(ResponseLabelingError);
    expect(() => labelResponse({ items: [{ data: 1 }] }, null)).toThrow('label_response items[0] has no "labels" object');
  });

  it("hands out one label object per distinct tag list, with its tags sorted", () => {
    const output = {
      items: [
        { data: 1, labels: labels("a", ["z", "y"], ["i"]) },
        { data: 2, labels: labels("b", ["z", "y"], ["i"]) },
        { data: 3, labels: labels("c", ["y", "z"], []) },
      ],
    };
    const [first, second, third] = labelResponse(output, null)?.items ?? [];
    expect(first?.labels.secrecy).toBe(second?.labels.secrecy);
    expect(first?.labels.integrity).toBe(second?.labels.integrity);
    expect([...(first?.labels.secrecy ?? [])]).toEqual(["y", "z"]);
    expect([first?.labels.description, second?.labels.description]).toEqual(["a", "b"]);
    expect([...(third?.labels.secrecy ?? [])]).toEqual(["y", "z"]);
  });

  it("skips non-string tags", () => {
    const output = { items: [{ data: 1, labels: { description: "x", secrecy: ["a", 3, null], integrity: [true, "i"] } }] };
    const [item] = labelResponse(output, null)?.items ?? [];
    expect([sorted(item?.labels.secrecy ?? []), sorted(item?.labels.integrity ?? [])]).toEqual([["a"], ["i"]]);
  });
});

describe("path labels (guard-abi.md §3.7)", () => {
  const issues = { total_count: 3, items: [{ n: 0 }, { n: 1 }, { n: 2 }] };

  it("labels items under items_path, defaults the rest, and lets later duplicates win", () => {
    const output = {
      items_path: "/items",
      default_labels: labels("default"),
      labeled_paths: [
        { path: "/items/0", labels: labels("zero", ["s0"]) },
        { path: "items/2/title", labels: labels("two-early") },
        { path: "/items/2", labels: labels("two", ["s2"]) },
        { path: "/other/1", labels: labels("skipped") },
        { path: "/items/x", labels: labels("skipped") },
        { path: "/items/9", labels: labels("out of range") },
      ],
    };
    expect(summary(output, wrap(issues))).toEqual([
      { data: { n: 0 }, d: "zero", s: ["s0"] },
      { data: { n: 1 }, d: "default", s: [] },
      { data: { n: 2 }, d: "two", s: ["s2"] },
    ]);
  });

  it("uses the root array when items_path is absent, and 'unlabeled' without defaults", () => {
    const output = { labeled_paths: [{ path: "/1", labels: labels("one") }] };
    expect(summary(output, wrap(["a", "b"]))).toEqual([
      { data: "a", d: "unlabeled", s: [] },
      { data: "b", d: "one", s: [] },
    ]);
  });

  it("treats a non-array result as one item holding the whole original result, with the default labels", () => {
    const result = wrap({ single: true });
    expect(summary({ labeled_paths: [], default_labels: labels("whole", ["p"]) }, result)).toEqual([{ data: result, d: "whole", s: ["p"] }]);
  });

  it("concatenates the text parts of the MCP content, skipping images, audio and resources", () => {
    const result = {
      content: [{ type: "text", text: '[{"a"' }, { type: "image", data: "xx", text: "ignored" }, { text: ":1}," }, { type: "custom", text: '{"b":2}]' }],
    };
    expect(unwrapToolResult(result)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(unwrapToolResult({ content: [{ type: "text", text: "not json" }] })).toEqual({ content: [{ type: "text", text: "not json" }] });
    expect(unwrapToolResult([1])).toEqual([1]);
  });

  it("follows RFC 6901 escapes and skips empty segments", () => {
    const result = wrap({ "a/b": { "c~d": [[1, 2]] } });
    const output = { items_path: "/a~1b//c~0d/0", labeled_paths: [{ path: "/a~1b//c~0d/0/1", labels: labels("second") }] };
    expect(summary(output, result)).toEqual([
      { data: 1, d: "unlabeled", s: [] },
      { data: 2, d: "second", s: [] },
    ]);
  });

  it.each([
    ["/missing", 'path "/missing" not found in response'],
    ["/items/x", 'expected array index at "x" in path "/items/x"'],
    ["/items/5", 'array index 5 out of bounds in path "/items/5"'],
    ["/total_count/a", 'cannot navigate path "/total_count/a": "a" is inside a number'],
    ["/total_count", 'items_path "/total_count" does not point to an array'],
    ["total_count", 'items_path "/total_count" does not point to an array'],
  ])("items_path %j fails with %j", (itemsPath, error) => {
    const attempt = () => labelResponse({ items_path: itemsPath, labeled_paths: [] }, wrap(issues));
    expect(attempt).toThrow(ResponseLabelingError);
    expect(attempt).toThrow(error);
  });

  it.each([
    [{ labeled_paths: {} }, "label_response labeled_paths must be an array"],
    [{ labeled_paths: [7] }, "label_response labeled_paths[0] must be an object"],
    [{ labeled_paths: [{ labels: {} }] }, "label_response labeled_paths[0].path must be a string"],
    [{ labeled_paths: [{ path: "/0" }] }, 'label_response labeled_paths[0] has no "labels" object; every labelled path needs one'],
    [{ labeled_paths: [{ path: "/0", labels: null }] }, 'label_response labeled_paths[0] has no "labels" object'],
    [{ labeled_paths: [{ path: "/0", labels: { secrecy: "x" } }] }, "label_response labeled_paths[0].labels.secrecy must be an array of strings"],
    [
      {
        labeled_paths: [
          { path: "/12", labels: {} },
          { path: "/3", labels: { description: 5 } },
        ],
      },
      "label_response labeled_paths[1].labels.description must be a string",
    ],
    [{ labeled_paths: [], default_labels: 3 }, "label_response default_labels must be an object"],
    [{ labeled_paths: [], items_path: 3 }, "label_response output.items_path must be a string"],
    ["text", "label_response output must be a JSON object"],
  ])("rejects a malformed output %j", (output, error) => {
    expect(() => labelResponse(output, wrap([]))).toThrow(error);
  });
});

describe("difc_filtered record fields (difc.md §5.3)", () => {
  const context = { serverId: "github", toolName: "list_issues" };

  it("takes GitHub metadata from the item when present", () => {
    const data = { authorAssociation: "MEMBER", author: { login: "octo" }, htmlUrl: "https://x/1", number: 7, sha: "abc" };
    expect(difcFilteredFields(context, { data, labels: resource(["b", "a"], ["i"], "issue") }, "why")).toEqual({
      serverId: "github",
      toolName: "list_issues",
      description: "issue",
      reason: "why",
      secrecyTags: ["a", "b"],
      integrityTags: ["i"],
      authorAssociation: "MEMBER",
      authorLogin: "octo",
      htmlUrl: "https://x/1",
      number: "7",
      sha: "abc",
    });
  });

  it.each([
    [
      { author_association: "", authorAssociation: "NONE", user: { login: "u" }, author: { login: "a" }, html_url: "h" },
      { authorAssociation: "NONE", authorLogin: "u", htmlUrl: "h" },
    ],
    [{ number: 1.5, sha: "" }, {}],
    [["not", "an", "object"], {}],
  ])("keeps only non-empty metadata (%#)", (data, extra) => {
    const record = difcFilteredFields(context, { data, labels: resource() }, "r");
    expect(record).toEqual({ ...context, description: "res", reason: "r", secrecyTags: [], integrityTags: [], ...extra });
  });
});

describe("difc_filtered wire form (difc.md §5.3)", () => {
  it("uses snake_case keys in the reference's order and omits absent metadata", () => {
    const fields = difcFilteredFields(
      { serverId: "github", toolName: "list_issues" },
      { data: { sha: "abc", number: 3 }, labels: resource(["s"], [], "issue") },
      "why",
    );
    const json = difcFilteredJson(fields);
    expect(Object.keys(json)).toEqual(["server_id", "tool_name", "description", "reason", "secrecy_tags", "integrity_tags", "number", "sha"]);
    expect(difcFilteredLogMessage(fields)).toBe(
      '[DIFC-FILTERED] {"server_id":"github","tool_name":"list_issues","description":"issue","reason":"why","secrecy_tags":["s"],"integrity_tags":[],"number":"3","sha":"abc"}',
    );
    expect(DIFC_FILTERED_SCHEMA).toBe("difc-filtered/v2");
  });
});
