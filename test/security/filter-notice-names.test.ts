// Attack: learn the names of private files without reading them, from the notice that tells the
// agent what a listing hid. The filesystem guard describes a private entry it labels in a
// listing, a search or a tree without its name, so the notice (and the difc_filtered record)
// counts the hidden entries but names none of them.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoGateway, type DemoGateway } from "../../demo/attack.ts";

const PRIVATE_NAMES = ["api-keys.txt", "salaries.md"];

let demo: DemoGateway;
let files: Client;

beforeAll(async () => {
  demo = await startDemoGateway("filter", await mkdtemp(join(tmpdir(), "flowgate-notice-names-")));
  files = await demo.connect("files");
});

afterAll(async () => {
  await files?.close();
  await demo?.close();
});

describe("filter notices name what they hide", () => {
  it.each([
    [
      "list_directory of private/",
      "list_directory",
      (root: string) => ({ path: join(root, "private") }),
      "2 item(s) in this response were removed by secrecy policy",
    ],
    [
      "list_directory_with_sizes of private/ (entries and totals)",
      "list_directory_with_sizes",
      (root: string) => ({ path: join(root, "private") }),
      "4 item(s) in this response were removed by secrecy policy",
    ],
    // The private folder and its two files; the untrusted inbox and its mail are hidden too, by integrity: their names are no secret.
    [
      "search_files over the workspace",
      "search_files",
      (root: string) => ({ path: root, pattern: "**/*" }),
      "5 item(s) in this response were removed by access policy",
    ],
    // The untrusted inbox is hidden too, by integrity: its name is no secret.
    ["directory_tree of the workspace", "directory_tree", (root: string) => ({ path: root }), "2 item(s) in this response were removed by access policy"],
  ])("counts the private entries hidden from %s but names none", async (_name, tool, args, notice) => {
    const result = await files.callTool({ name: tool, arguments: args(demo.workspace) });
    const text = (result.content as Array<{ type: string; text?: string }>).map((part) => part.text ?? "").join("\n");
    expect(text).toContain(`[Filtered] ${notice}`);
    expect(text).toContain("private entry");
    for (const name of PRIVATE_NAMES) expect(text).not.toContain(name);
    expect(text).not.toContain(join(demo.workspace, "private"));
  });
});
