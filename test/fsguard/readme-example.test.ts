import { readFile } from "node:fs/promises";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { builtGuardPath } from "../support/guards.ts";
import { GuardHarness } from "../support/guard-harness.ts";
import { demoGuardPayload } from "./policy.ts";

interface GuardEntry {
  config: Record<string, unknown>;
  policy: { "allow-only": Record<string, unknown> };
}

/** The text of every fenced block of the given language in the guard's README, in order. */
async function readmeBlocks(language: string): Promise<string[]> {
  const readme = await readFile(new URL("../../guards/filesystem/README.md", import.meta.url), "utf8");
  return [...readme.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((match) => match[1] ?? "");
}

describe("the filesystem guard README's policy example", () => {
  it("gives the answer it shows when the TOML's config and policy reach label_agent as the gateway sends them", async () => {
    const [toml] = await readmeBlocks("toml");
    const [, answer] = await readmeBlocks("json");
    const entry = (parse(toml ?? "") as unknown as { guards: { files: GuardEntry } }).guards.files;
    const guard = await GuardHarness.load(builtGuardPath("filesystem"));
    const payload = { "allow-only": entry.policy["allow-only"], "guard-config": entry.config };
    expect(guard.callJson("label_agent", payload)).toEqual(JSON.parse(answer ?? ""));
  });

  it("shows the label_agent input of the demo's policy and guard config", async () => {
    const [input] = await readmeBlocks("json");
    expect(JSON.parse(input ?? "")).toEqual(await demoGuardPayload());
  });
});
