// The layering rules of src, as data and one checker, so the layering test and its own test share
// them. A unit is a folder of src with a face (`index.ts`); a file belongs to the deepest unit
// that holds it, so src/config/jq is a unit apart from src/config.
import { posix } from "node:path";

/** Which units each unit may import. An edge not listed here is an upward or sideways import. */
export type LayerTable = Readonly<Record<string, readonly string[]>>;

export interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

/** Static imports and re-exports (`import … from`, `export … from`, bare `import "…"`) and dynamic `import("…")`. */
const IMPORT_PATTERN = /^[ \t]*(?:import|export)\s[^;]*?from\s+"([^"]+)"|^[ \t]*import\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/gm;

/** The unit of a path below src ("gateway/http/router.ts" → "gateway/http"), or undefined when the table has none. */
export function unitOf(file: string, table: LayerTable): string | undefined {
  const units = Object.keys(table).filter((unit) => file.startsWith(`${unit}/`));
  return units.sort((a, b) => b.length - a.length)[0];
}

/**
 * An import exempt from the face rule: the comment block right above it starts with "Lazy:" and
 * says why the whole folder is not worth loading there (a cold start, a worker).
 */
function markedLazy(text: string, offset: number): boolean {
  const before = text.slice(0, offset).split("\n").slice(0, -1);
  const block: string[] = [];
  while (before.length > 0 && /^\s*\/\//.test(before.at(-1) ?? "")) block.unshift((before.pop() ?? "").trim());
  if (block.length > 0) return block[0]!.startsWith("// Lazy:");
  // A dynamic import inside a statement: the comment may sit on the lines of that statement.
  const line = text.slice(text.lastIndexOf("\n", offset) + 1, offset);
  return line.includes("/* Lazy */");
}

/**
 * Every import of `files` (path below src → text) that breaks a rule: a unit imports only the
 * units the table allows it, and enters another unit only through its `index.ts`.
 */
export function layeringViolations(files: ReadonlyMap<string, string>, table: LayerTable): Violation[] {
  const violations: Violation[] = [];
  for (const [file, text] of files) {
    const from = unitOf(file, table);
    if (from === undefined) {
      violations.push({ file, specifier: "", rule: `${posix.dirname(file)} is in no unit of the layer table` });
      continue;
    }
    for (const match of text.matchAll(IMPORT_PATTERN)) {
      const specifier = match[1] ?? match[2] ?? match[3] ?? "";
      if (!specifier.startsWith(".")) continue;
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      const to = unitOf(target, table);
      if (to === from) continue;
      if (to === undefined) {
        violations.push({ file, specifier, rule: `imports ${target}, which is in no unit of the layer table` });
        continue;
      }
      if (!table[from]!.includes(to)) violations.push({ file, specifier, rule: `${from} may not import ${to}` });
      if (target !== `${to}/index.ts` && !markedLazy(text, match.index)) {
        violations.push({ file, specifier, rule: `enters ${to} past its face: import ${to}/index.ts (or mark the import "// Lazy:" with the reason)` });
      }
    }
  }
  return violations;
}
