import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../../src/difc/", import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

const files = sources(root).map((file) => [relative(root, file), readFileSync(file, "utf8")] as const);

describe("src/difc stays pure", () => {
  it("has source files to check", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files)("%s imports only from inside src/difc", (name, text) => {
    const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map((match) => match[1] ?? "");
    for (const specifier of specifiers) {
      expect(specifier, `${name} imports ${specifier}`).toMatch(/^\.\.?\//);
      const target = join(root, name, "..", specifier);
      expect(target.startsWith(root), `${name} imports ${specifier} from outside src/difc`).toBe(true);
    }
  });

  it.each(files)("%s uses no I/O, timers, clocks or process state", (name, text) => {
    for (const forbidden of [/\bprocess\./, /\bconsole\./, /\bsetTimeout\b/, /\bsetInterval\b/, /\bDate\.now\b/, /\bnew Date\(\)/, /\bMath\.random\b/]) {
      expect(text, `${name} matches ${forbidden}`).not.toMatch(forbidden);
    }
  });
});
