import { describe, expect, it } from "vitest";
import { APPROVED, BLOCKED, configuredGuard, MERGED, PAYROLL, PRIVATE, ROOT, UNTRUSTED, type WireLabels, withConfig } from "./policy.ts";

const guard = await configuredGuard();

interface ResourceAnswer {
  operation: string;
  resource: WireLabels;
}

function labelResource(tool: string, args: unknown): ResourceAnswer {
  return guard.callJson("label_resource", { capabilities: {}, tool_args: args, tool_name: tool }) as ResourceAnswer;
}

describe("filesystem guard label_resource", () => {
  it.each([
    ["read_text_file", { path: `${ROOT}/notes/todo.md` }, "read", [], APPROVED],
    ["read_file", { path: `${ROOT}/private/salaries.md` }, "read", [PRIVATE], APPROVED],
    ["read_media_file", { path: `${ROOT}/hr/payroll/2026/jan.png` }, "read", [PAYROLL], APPROVED],
    ["get_file_info", { path: `${ROOT}/inbox/note.md` }, "read", [], UNTRUSTED],
    ["list_directory", { path: `${ROOT}/inbox/reviewed` }, "read", [], APPROVED],
    ["list_directory_with_sizes", { path: `${ROOT}/releases` }, "read", [], MERGED],
    ["directory_tree", { path: `${ROOT}/quarantine/x` }, "read", [], BLOCKED],
    ["search_files", { path: ROOT, pattern: "*.md" }, "read", [], APPROVED],
    ["write_file", { path: `${ROOT}/private/new.md`, content: "x" }, "write", [PRIVATE], APPROVED],
    ["create_directory", { path: `${ROOT}/inbox/new` }, "write", [], UNTRUSTED],
    ["edit_file", { path: `${ROOT}/private/salaries.md`, edits: [] }, "read-write", [PRIVATE], APPROVED],
    ["list_allowed_directories", {}, "read", [], MERGED],
  ])("labels %s %j as %s with secrecy %j and integrity %j", (tool, args, operation, secrecy, integrity) => {
    expect(labelResource(tool, args)).toMatchObject({ operation, resource: { secrecy, integrity } });
  });

  it.each([
    ["a relative path", "private/salaries.md", [PRIVATE]],
    ["a path climbing back into private", `${ROOT}/notes/../private/salaries.md`, [PRIVATE]],
    ["doubled slashes and dots", `${ROOT}//private/./salaries.md`, [PRIVATE]],
    ["a folder whose name only starts like a private one", `${ROOT}/private-notes/a.md`, []],
    ["the private folder itself", `${ROOT}/private`, [PRIVATE]],
  ])("resolves %s the way the server does", (_case, path, secrecy) => {
    expect(labelResource("read_text_file", { path }).resource.secrecy).toEqual(secrecy);
  });

  it.each([
    ["a home-relative path", { path: "~/private/salaries.md" }],
    ["a missing path", {}],
    ["a path outside the served folder", { path: "/etc/passwd" }],
    ["a non-string path", { path: 7 }],
  ])("fails closed on a read of %s: every private tag and no integrity", (_case, args) => {
    expect(labelResource("read_text_file", args).resource).toMatchObject({ secrecy: [PRIVATE, PAYROLL], integrity: [] });
  });

  it("fails closed on read_multiple_files when any path cannot be placed", () => {
    expect(labelResource("read_multiple_files", { paths: [`${ROOT}/a.md`, "~/b.md"] }).resource).toMatchObject({
      secrecy: [PRIVATE, PAYROLL],
      integrity: [],
    });
  });

  it("joins the labels of read_multiple_files: every secrecy tag, only the integrity all files share", () => {
    const paths = [`${ROOT}/private/a.md`, `${ROOT}/inbox/b.md`, `${ROOT}/hr/payroll/c.md`];
    expect(labelResource("read_multiple_files", { paths }).resource).toMatchObject({
      secrecy: [PRIVATE, PAYROLL],
      integrity: UNTRUSTED,
    });
  });

  it.each([
    ["into a folder as private", `${ROOT}/private/a.md`, `${ROOT}/private/old/a.md`, [PRIVATE], APPROVED],
    ["from public into private", `${ROOT}/notes/a.md`, `${ROOT}/private/a.md`, [PRIVATE], APPROVED],
    ["from a trusted folder into the untrusted inbox", `${ROOT}/notes/a.md`, `${ROOT}/inbox/a.md`, [], APPROVED],
    ["a folder holding nothing private or untrusted", `${ROOT}/notes`, `${ROOT}/archive/notes`, [], APPROVED],
    ["out of a private folder into a public one", `${ROOT}/private/a.md`, `${ROOT}/notes/a.md`, [], BLOCKED],
    ["between two different private folders", `${ROOT}/private/a.md`, `${ROOT}/hr/payroll/a.md`, [], BLOCKED],
    ["a public folder that holds a private one", `${ROOT}/hr`, `${ROOT}/notes/hr`, [], BLOCKED],
    ["from the untrusted inbox into a trusted folder", `${ROOT}/inbox/a.md`, `${ROOT}/notes/a.md`, [], BLOCKED],
    ["a folder that holds the untrusted inbox", `${ROOT}`, `${ROOT}/notes/everything`, [], BLOCKED],
    ["from the untrusted inbox into its reviewed folder", `${ROOT}/inbox/a.md`, `${ROOT}/inbox/reviewed/a.md`, [], BLOCKED],
  ])("labels move_file %s as a write needing both ends, or refuses it", (_case, source, destination, secrecy, integrity) => {
    expect(labelResource("move_file", { source, destination })).toMatchObject({
      operation: "write",
      resource: { secrecy, integrity },
    });
  });

  it("says in the description why an endorsing move is refused", () => {
    const { resource } = labelResource("move_file", { source: `${ROOT}/inbox/a.md`, destination: `${ROOT}/releases/a.md` });
    expect(resource.description).toBe(`move_file would raise ${ROOT}/inbox/a.md from trust none to merged at ${ROOT}/releases/a.md`);
  });

  it("says in the description why a declassifying move is refused", () => {
    const { resource } = labelResource("move_file", { source: `${ROOT}/private/a.md`, destination: `${ROOT}/a.md` });
    expect(resource.description).toBe(`move_file would move ${ROOT}/private/a.md (${PRIVATE}) to the less private ${ROOT}/a.md`);
  });

  it.each([
    ["an unknown tool", "delete_everything", { path: `${ROOT}/a` }],
    ["write_file without a path", "write_file", { content: "x" }],
    ["edit_file with a home path", "edit_file", { path: "~/a" }],
    ["move_file without a destination", "move_file", { source: `${ROOT}/a` }],
  ])("refuses %s with an integrity no agent holds", (_case, tool, args) => {
    const decided = labelResource(tool, args);
    expect(decided.operation).not.toBe("read");
    expect(decided.resource.integrity).toEqual(BLOCKED);
  });
});

describe("filesystem guard private folder shapes", () => {
  it.each([
    ["the whole root", [""], `${ROOT}/notes/a.md`, ["private:demo"]],
    ["nested private folders", ["hr", "hr/payroll"], `${ROOT}/hr/payroll/jan.csv`, ["private:demo/hr", "private:demo/hr/payroll"]],
    ["a folder given as ./hr/", ["./hr/"], `${ROOT}/hr/a.md`, ["private:demo/hr"]],
  ])("labels a file under %s with every private folder that holds it", async (_case, folders, path, secrecy) => {
    const fresh = await configuredGuard(withConfig({ "fs-private": folders, "fs-clearance": [] }));
    const answer = fresh.callJson("label_resource", { capabilities: {}, tool_args: { path }, tool_name: "read_text_file" }) as ResourceAnswer;
    expect(answer.resource.secrecy).toEqual(secrecy);
  });
});
