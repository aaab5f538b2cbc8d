// The benchmark's calling-back guard (guards/issues-labels) labels what it is given: its numbers
// in bench:guard mean something only if it really asks the backend and labels every issue. The
// backend is a function: a GitHub MCP server cannot run here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtGuardPath } from "../support/guards.ts";
import { loadWasmGuard } from "../../src/guard/index.ts";
import type { BackendCaller, WasmGuard } from "../../src/guard/index.ts";

let guard: WasmGuard;
beforeAll(async () => {
  guard = await loadWasmGuard(builtGuardPath("issues-labels"), { name: "issues", poolSize: 1 });
});
afterAll(() => guard.close());

const args = { owner: "octo-org", repo: "widgets" };
const issues = [
  { number: 7, author_association: "OWNER" },
  { number: 8, author_association: "NONE" },
];
const listIssuesResult = { content: [{ type: "text", text: JSON.stringify(issues) }] };
const repositoryBackend =
  (isPrivate: boolean, asked: unknown[]): BackendCaller =>
  async (tool, toolArgs) => {
    asked.push([tool, toolArgs]);
    return { content: [{ type: "text", text: JSON.stringify({ private: isPrivate }) }] };
  };

describe("the issues-labels benchmark guard", () => {
  it.each([
    [true, ["private:octo-org/widgets"]],
    [false, []],
  ])("asks the backend whether the repository is private (%s) and labels each issue by it and its author", async (isPrivate, secrecy) => {
    const asked: unknown[] = [];
    const output = await guard.labelResponse("list_issues", listIssuesResult, args, { backend: repositoryBackend(isPrivate, asked) });
    expect(asked).toEqual([["get_repository", args]]);
    expect(output).toEqual({
      items_path: "",
      labeled_paths: [
        { path: "/0", labels: { description: "issue:octo-org/widgets#7", secrecy, integrity: ["approved:octo-org/widgets"] } },
        { path: "/1", labels: { description: "issue:octo-org/widgets#8", secrecy, integrity: [] } },
      ],
    });
    await expect(guard.labelResource("list_issues", args, { backend: repositoryBackend(isPrivate, []) })).resolves.toMatchObject({
      secrecy,
      operation: "read",
    });
  });

  it("fails the call when the backend cannot say whether the repository is private", async () => {
    const failing: BackendCaller = () => Promise.reject(new Error("backend down"));
    await expect(guard.labelResponse("list_issues", listIssuesResult, args, { backend: failing })).rejects.toMatchObject({ kind: "error" });
  });
});
