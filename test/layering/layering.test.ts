import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { layeringViolations, unitOf, type LayerTable } from "../support/layering.ts";

const root = new URL("../../src/", import.meta.url).pathname;

/**
 * Which units each unit of src may import: every edge points down, from the CLI at the top to
 * src/shared at the bottom. src/difc and src/shared import nothing of ours.
 */
export const LAYERS: LayerTable = {
  cli: ["gateway", "proxy", "telemetry/tracing", "enforce", "state", "guard", "difc", "backends", "config", "log", "shared"],
  // The composition root: the one place that knows every part of the gateway.
  gateway: [
    "gateway/http",
    "gateway/sessions",
    "gateway/results",
    "gateway/forward",
    "telemetry/metrics",
    "telemetry/live-view",
    "telemetry/tracing",
    "enforce",
    "difc",
    "backends",
    "config",
    "log",
    "shared",
  ],
  "gateway/http": ["gateway/sessions", "difc", "backends", "config", "log", "shared"],
  "gateway/sessions": ["gateway/forward", "enforce", "backends", "config", "log", "shared"],
  "gateway/results": ["gateway/forward", "config/jq", "config", "log", "shared"],
  "gateway/forward": ["enforce", "difc", "backends", "config", "log", "shared"],
  // The GitHub API proxy: the same guards and DIFC engine as the gateway, in front of GitHub's API.
  proxy: ["telemetry/tracing", "enforce", "guard", "difc", "config", "log", "shared"],
  // OpenTelemetry spans of the gateway's and the proxy's work, exported over OTLP/HTTP.
  "telemetry/tracing": ["config", "log", "shared"],
  enforce: ["state", "guard", "difc", "config", "log", "shared"],
  // The live view at /ui: the latest decisions and what the page shows of them.
  "telemetry/live-view": ["shared"],
  // Where DIFC state lives when replicas share it.
  state: ["difc", "shared"],
  guard: ["log", "shared"],
  backends: ["config", "log", "shared"],
  // Prometheus metrics: an Observer (src/shared) and the listener serving it; the gateway loads it when asked.
  "telemetry/metrics": ["shared"],
  config: ["config/jq", "shared"],
  "config/jq": ["shared"],
  log: ["shared"],
  difc: [],
  shared: [],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

const files = new Map(sources(root).map((file) => [relative(root, file), readFileSync(file, "utf8")] as const));

describe("the layering of src", () => {
  it("has source files in every unit", () => {
    for (const unit of Object.keys(LAYERS))
      expect(
        [...files.keys()].some((file) => unitOf(file, LAYERS) === unit),
        unit,
      ).toBe(true);
  });

  it("imports only down the layer table, and into a unit only through its index.ts", () => {
    expect(layeringViolations(files, LAYERS)).toEqual([]);
  });

  it.each(Object.keys(LAYERS).filter((unit) => unit !== "cli"))("src/%s has a face, index.ts", (unit) => {
    expect(existsSync(join(root, unit, "index.ts"))).toBe(true);
  });
});

describe("the layering check", () => {
  const table: LayerTable = { top: ["bottom"], bottom: [], "bottom/leaf": [] };
  it.each([
    ["an upward import", "bottom/a.ts", 'import { x } from "../top/index.ts";', ["bottom may not import top"]],
    ["an import past a face", "top/a.ts", 'import { x } from "../bottom/inner.ts";', ["enters bottom past its face"]],
    ["an edge missing from the table", "bottom/a.ts", 'import type { x } from "./leaf/index.ts";', ["bottom may not import bottom/leaf"]],
    ["a dynamic import past a face", "top/a.ts", 'const m = await import("../bottom/inner.ts");', ["enters bottom past its face"]],
    ["a file outside every unit", "elsewhere/a.ts", "export const a = 1;", ["elsewhere is in no unit"]],
    ["a downward import through the face", "top/a.ts", 'export { x } from "../bottom/index.ts";', []],
    ["an import inside a unit", "bottom/a.ts", 'import { y } from "./b.ts";', []],
    ["a deep import marked lazy", "top/a.ts", '// Lazy: the cold start needs only this.\nimport { x } from "../bottom/inner.ts";', []],
  ])("reports %s", (_name, file, text, expected) => {
    const rules = layeringViolations(new Map([[file, text]]), table).map((violation) => violation.rule);
    expect(rules).toHaveLength(expected.length);
    expected.forEach((fragment, index) => expect(rules[index]).toContain(fragment));
  });
});
