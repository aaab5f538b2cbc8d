import { describe, expect, it } from "vitest";
import { APPROVED, configuredGuard, MERGED, PAYROLL, PRIVATE, ROOT, UNTRUSTED, type WireLabels, withConfig } from "./policy.ts";

const guard = await configuredGuard();

function textResult(text: string): unknown {
  return { content: [{ type: "text", text }], structuredContent: { content: text } };
}

function labelResponse(tool: string, args: unknown, result: unknown): unknown {
  return guard.callJson("label_response", { capabilities: {}, tool_args: args, tool_name: tool, tool_result: result });
}

interface Item {
  data: unknown;
  labels: WireLabels;
}

/** Each item's data with its secrecy and integrity, to compare whole listings in one table. */
function itemsOf(answer: unknown): [unknown, string[], string[]][] {
  return (answer as { items: Item[] }).items.map((item) => [item.data, item.labels.secrecy, item.labels.integrity]);
}

describe("filesystem guard label_response", () => {
  it("labels every entry of list_directory by the path it names", () => {
    const text = "[FILE] README.md\n[DIR] inbox\n[DIR] private\n[DIR] releases";
    expect(itemsOf(labelResponse("list_directory", { path: ROOT }, textResult(text)))).toEqual([
      ["[FILE] README.md", [], APPROVED],
      ["[DIR] inbox", [], UNTRUSTED],
      ["[DIR] private", [PRIVATE], APPROVED],
      ["[DIR] releases", [], MERGED],
    ]);
  });

  it("labels list_directory_with_sizes entries by name (a folder's name is never taken for a size) and its totals with everything they summarise", async () => {
    const text = [
      "[FILE] a b.md                                  12 B",
      "[FILE] big.bin                              1.50 KB",
      "[DIR] private                        ",
      "[DIR] archive 2 B                    ",
      "",
      "Total: 2 files, 1 directories",
      "Combined size: 1.51 KB",
    ].join("\n");
    const sizedGuard = await configuredGuard(withConfig({ "fs-private": ["private", "archive 2 B"], "fs-clearance": [] }));
    const answer = sizedGuard.callJson("label_response", {
      capabilities: {},
      tool_args: { path: ROOT },
      tool_name: "list_directory_with_sizes",
      tool_result: textResult(text),
    });
    expect(itemsOf(answer)).toEqual([
      ["[FILE] a b.md                                  12 B", [], APPROVED],
      ["[FILE] big.bin                              1.50 KB", [], APPROVED],
      ["[DIR] private                        ", [PRIVATE], APPROVED],
      ["[DIR] archive 2 B                    ", ["private:demo/archive 2 B"], APPROVED],
      ["Total: 2 files, 1 directories", [PRIVATE, "private:demo/archive 2 B"], APPROVED],
      ["Combined size: 1.51 KB", [PRIVATE, "private:demo/archive 2 B"], APPROVED],
    ]);
  });

  it("labels entries of a listing of a subfolder by their full path", () => {
    const text = "[FILE] memo.md\n[DIR] reviewed";
    expect(itemsOf(labelResponse("list_directory", { path: "inbox" }, textResult(text)))).toEqual([
      ["[FILE] memo.md", [], UNTRUSTED],
      ["[DIR] reviewed", [], APPROVED],
    ]);
  });

  it("labels each search hit by its path, and an unexpected line with every private tag", () => {
    const text = [`${ROOT}/notes/plan.md`, `${ROOT}/private/plan.md`, `${ROOT}/inbox/plan.md`, "plan.md?"].join("\n");
    expect(itemsOf(labelResponse("search_files", { path: ROOT, pattern: "plan" }, textResult(text)))).toEqual([
      [`${ROOT}/notes/plan.md`, [], APPROVED],
      [`${ROOT}/private/plan.md`, [PRIVATE], APPROVED],
      [`${ROOT}/inbox/plan.md`, [], UNTRUSTED],
      ["plan.md?", [PRIVATE, PAYROLL], []],
    ]);
  });

  it("labels an empty search with the searched folder's labels", () => {
    expect(itemsOf(labelResponse("search_files", { path: `${ROOT}/inbox`, pattern: "x" }, textResult("No matches found")))).toEqual([
      ["No matches found", [], UNTRUSTED],
    ]);
  });

  it("labels each top-level directory_tree entry in the path format with everything below it", () => {
    const tree = [
      { name: "README.md", type: "file" },
      { name: "hr", type: "directory", children: [{ name: "payroll", type: "directory", children: [{ name: "jan.csv", type: "file" }] }] },
      { name: "inbox", type: "directory", children: [{ name: "reviewed", type: "directory", children: [] }] },
    ];
    const answer = labelResponse("directory_tree", { path: ROOT }, textResult(JSON.stringify(tree, null, 2))) as {
      labeled_paths: { path: string; labels: WireLabels }[];
      default_labels: WireLabels;
    };
    expect(answer.labeled_paths.map((entry) => [entry.path, entry.labels.secrecy, entry.labels.integrity])).toEqual([
      ["/0", [], APPROVED],
      ["/1", [PAYROLL], APPROVED],
      ["/2", [], UNTRUSTED],
    ]);
    expect(answer.default_labels).toMatchObject({ secrecy: [PRIVATE, PAYROLL], integrity: [] });
  });

  it("labels each file of read_multiple_files when the sections match the requested paths", () => {
    const paths = [`${ROOT}/notes/a.md`, "private/b.md"];
    const text = `${paths[0]}:\nalpha\n\n---\n${paths[1]}:\nbeta\n`;
    expect(itemsOf(labelResponse("read_multiple_files", { paths }, textResult(text)))).toEqual([
      [`${paths[0]}:\nalpha\n`, [], APPROVED],
      [`${paths[1]}:\nbeta\n`, [PRIVATE], APPROVED],
    ]);
  });

  it("keeps read_multiple_files whole, with all labels joined, when a file's content holds the separator", () => {
    const paths = [`${ROOT}/notes/a.md`, `${ROOT}/inbox/b.md`];
    const result = textResult(`${paths[0]}:\nfront\n---\nmatter\n\n---\n${paths[1]}:\nbeta\n`);
    expect(itemsOf(labelResponse("read_multiple_files", { paths }, result))).toEqual([[result, [], UNTRUSTED]]);
  });

  it.each([
    ["read_text_file", { path: `${ROOT}/private/salaries.md` }, [PRIVATE], APPROVED],
    ["get_file_info", { path: `${ROOT}/inbox/note.md` }, [], UNTRUSTED],
    ["edit_file", { path: `${ROOT}/hr/payroll/jan.csv`, edits: [] }, [PAYROLL], APPROVED],
    ["list_allowed_directories", {}, [], MERGED],
  ])("returns %s as one item holding the whole result verbatim", (tool, args, secrecy, integrity) => {
    const result = { content: [{ type: "text", text: 'secret \u2028 "quoted"\n' }], structuredContent: { content: "x" }, n: 1.5e3 };
    expect(itemsOf(labelResponse(tool, args, result))).toEqual([[result, secrecy, integrity]]);
  });

  it("labels an error result as a whole, since its message may name private paths", () => {
    const result = { content: [{ type: "text", text: "Error: ENOENT private/x" }], isError: true };
    expect(itemsOf(labelResponse("list_directory", { path: `${ROOT}/private` }, result))).toEqual([[result, [PRIVATE], APPROVED]]);
  });

  it("answers −2 with the needed size when the output buffer is too small, and succeeds on the retry", async () => {
    const small = await configuredGuard(undefined, { outputSize: 64 });
    const input = { capabilities: {}, tool_args: { path: ROOT }, tool_name: "list_directory", tool_result: textResult("[FILE] a\n[FILE] b") };
    const result = small.call("label_response", input);
    expect(result.attempts).toHaveLength(2);
    expect(result.attempts[1]).toBe(result.code);
    expect(JSON.parse(result.output)).toHaveProperty("items");
  });
});

describe("filesystem guard memory", () => {
  it("frees each call's garbage, so memory stops growing across repeated large listings", async () => {
    const fresh = await configuredGuard();
    const text = Array.from({ length: 500 }, (_, i) => `[FILE] file-${i}.md`).join("\n");
    const input = { capabilities: {}, tool_args: { path: ROOT }, tool_name: "list_directory", tool_result: textResult(text) };
    for (let i = 0; i < 5; i++) fresh.call("label_response", input);
    const settled = fresh.memoryBytes();
    for (let i = 0; i < 30; i++) fresh.call("label_response", input);
    expect(fresh.memoryBytes()).toBe(settled);
  });
});

describe("filesystem guard on large answers", () => {
  // The result carries the text twice (content and structuredContent): a 7 MiB input, near the
  // host's 8 MiB limit. The guard is built with a 512-page (32 MiB) memory maximum, as the host caps it.
  it("returns a 3.5 MiB file read verbatim within the guard's 32 MiB of memory", async () => {
    const fresh = await configuredGuard();
    const text = `${"x".repeat(3.5 * 1024 * 1024)}\n"é\u2028`;
    const result = textResult(text);
    const input = { capabilities: {}, tool_args: { path: `${ROOT}/private/big.log` }, tool_name: "read_text_file", tool_result: result };
    expect(itemsOf(JSON.parse(fresh.call("label_response", input).output))).toEqual([[result, [PRIVATE], APPROVED]]);
    expect(fresh.memoryBytes()).toBeLessThanOrEqual(32 * 1024 * 1024);
  });
});
