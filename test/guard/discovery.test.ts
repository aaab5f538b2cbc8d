import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discoverGuardFile } from "../../src/guard/index.ts";

function tree(files: Record<string, string | null>): string {
  const root = mkdtempSync(join(tmpdir(), "flowgate-guards-"));
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    if (content === null) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(join(full, ".."), { recursive: true });
      writeFileSync(full, content);
    }
  }
  return root;
}

const noBakedIn = join(tmpdir(), "flowgate-no-such-guard.wasm");

describe("guard discovery", () => {
  it.each([
    ["env unset", {}, undefined],
    ["env blank", { "srv/": null }, ""],
    ["env whitespace", { "srv/": null }, "   "],
    ["missing server dir", { "other/a.wasm": "x" }, "ROOT"],
    ["empty server dir", { "srv/": null }, "ROOT"],
    ["only non-wasm files", { "srv/readme.md": "x", "srv/guard.wasm.bak": "x" }, "ROOT"],
    ["only a *.wasm directory", { "srv/dir.wasm/": null }, "ROOT"],
  ])("finds nothing with %s", (_label, files, env) => {
    const root = tree(files as Record<string, string | null>);
    const value = env === "ROOT" ? root : env;
    expect(discoverGuardFile("srv", { env: { MCP_GATEWAY_WASM_GUARDS_DIR: value }, bakedInGithubGuard: noBakedIn })).toBeUndefined();
  });

  it.each([
    ["the first .wasm by name", { "srv/b.wasm": "x", "srv/a.wasm": "x", "srv/c.txt": "x" }, "a.wasm"],
    ["an upper-case .WASM", { "srv/GUARD.WASM": "x", "srv/sub/": null }, "GUARD.WASM"],
    ["a file after skipping subdirectories", { "srv/a.wasm/": null, "srv/b.wasm": "x" }, "b.wasm"],
  ])("picks %s", (_label, files, expected) => {
    const root = tree(files as Record<string, string | null>);
    expect(discoverGuardFile("srv", { env: { MCP_GATEWAY_WASM_GUARDS_DIR: `  ${root}  ` } })).toBe(join(root, "srv", expected));
  });

  it("fails naming the server when its guard path is a file", () => {
    const root = tree({ srv: "not a dir" });
    expect(() => discoverGuardFile("srv", { env: { MCP_GATEWAY_WASM_GUARDS_DIR: root } })).toThrow("for server srv");
  });

  it("prefers the baked-in guard for github, falls back to the directory, and honours an explicit empty opt-out", () => {
    const root = tree({ "github/z.wasm": "x", "baked.wasm": "x" });
    const bakedIn = join(root, "baked.wasm");
    expect(discoverGuardFile("github", { env: { MCP_GATEWAY_WASM_GUARDS_DIR: root }, bakedInGithubGuard: bakedIn })).toBe(bakedIn);
    expect(discoverGuardFile("github", { env: { MCP_GATEWAY_WASM_GUARDS_DIR: root }, bakedInGithubGuard: noBakedIn })).toBe(join(root, "github", "z.wasm"));
    expect(discoverGuardFile("github", { env: { MCP_GATEWAY_WASM_GUARDS_DIR: "" }, bakedInGithubGuard: bakedIn })).toBeUndefined();
    expect(discoverGuardFile("github", { env: {}, bakedInGithubGuard: bakedIn })).toBe(bakedIn);
  });
});
