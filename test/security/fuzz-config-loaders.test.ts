// Property-based fuzzing of both configuration loaders: whatever text (and environment) a user
// hands them, a load either returns a configuration or throws a ConfigError that says what is
// wrong; never another exception, never a hang. Inputs are random text, byte-level mutations of
// valid configurations, and structural mutations (a value replaced, a key dropped or added) of
// their parsed documents, so that most runs get past the parser into schema and semantic checks.
// fast-check prints the seed and the shrunk counterexample of a failure; re-run it with
// `fc.assert(..., { seed, path })`.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/issues.ts";
import { loadJsonConfig } from "../../src/config/json-loader.ts";
import { loadTomlConfig } from "../../src/config/toml-loader.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { referenceFile } from "../config/support.ts";

const RUNS = 300;
/** A load is synchronous; far below this on any machine, unless something loops. */
const LOAD_LIMIT_MS = 5000;

const reference = (name: string) => readFileSync(referenceFile(name), "utf8");

/** Valid configurations that use most features: guards, policies, filters, HTTP headers, variables. */
const TOML_SEEDS = [
  reference("config.example.toml"),
  reference("config.example-payload-threshold.toml"),
  `guards_mode = "filter"
sequential_launch = true
[gateway]
port = 4000
agent_id = "\${AGENT}"
keepalive_interval = -1
payload_dir = "/tmp/p"
trusted_bots = ["bot[bot]"]
[servers.gh]
command = "docker"
args = ["run", "-i", "img"]
env = { TOKEN = "" }
guard = "g"
tool_timeout = 30
[servers.gh.guard_policies.allow-only]
repos = ["o/*", "o2/r"]
min-integrity = "approved"
[servers.gh.tool_response_filters]
search = ".items | map(.name)"
[servers.remote]
type = "http"
url = "http://127.0.0.1:9/mcp"
headers = { Authorization = "Bearer x" }
[guards.g]
type = "wasm"
path = "/g.wasm"
`,
];

const JSON_SEEDS = [
  reference("example-http-config.json"),
  reference("config.json"),
  reference("awmg-config.json"),
  JSON.stringify({
    mcpServers: {
      gh: {
        container: "ghcr.io/o/i:1",
        env: { TOKEN: "${TOKEN}", EMPTY: "" },
        guard: "g",
        "guard-policies": { "allow-only": { repos: "public", "min-integrity": "none" } },
        tool_response_filters: { search: ".items" },
      },
      remote: { type: "http", url: "http://127.0.0.1:9/mcp", headers: { Authorization: "Bearer ${TOKEN}" } },
    },
    gateway: { port: 3000, domain: "localhost", agentId: "agent-0123", toolTimeout: 120, payloadDir: "/tmp/p" },
    guards: { g: { type: "wasm", path: "/g.wasm" } },
  }),
];

/** Loads and classifies: "loaded" or "config-error"; anything else fails the property. */
function classify(load: () => GatewayConfig): "loaded" | "config-error" {
  const started = performance.now();
  try {
    const config = load();
    expect(Array.isArray(config.servers)).toBe(true);
    return "loaded";
  } catch (error) {
    if (!(error instanceof ConfigError)) throw new Error(`the loader threw ${String(error)} instead of a ConfigError`, { cause: error });
    // The message is what the user reads: it must say where and what.
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.message).toMatch(/Configuration (validation )?error/);
    return "config-error";
  } finally {
    expect(performance.now() - started).toBeLessThan(LOAD_LIMIT_MS);
  }
}

/** Environments with variables the seeds reference, set to values that may break the syntax they land in. */
const environment = fc.dictionary(
  fc.constantFrom("AGENT", "TOKEN", "CUSTOM_API_KEY", "PWD", "HOME", "X"),
  fc.oneof(fc.string(), fc.constantFrom('"', "\\", "}", "${TOKEN}", "\n", "12", "-1", "null")),
);

/** One edit of the text: a slice deleted, duplicated or replaced, or random characters inserted. */
const textEdit = fc.tuple(
  fc.nat(),
  fc.nat({ max: 40 }),
  fc.constantFrom("delete", "duplicate", "insert", "replace"),
  fc.string({ unit: "binary", maxLength: 12 }),
);

function applyEdits(text: string, edits: ReadonlyArray<readonly [number, number, string, string]>): string {
  let out = text;
  for (const [position, length, kind, inserted] of edits) {
    const at = out.length === 0 ? 0 : position % out.length;
    const end = Math.min(out.length, at + length);
    if (kind === "delete") out = out.slice(0, at) + out.slice(end);
    else if (kind === "duplicate") out = out.slice(0, end) + out.slice(at, end) + out.slice(end);
    else if (kind === "insert") out = out.slice(0, at) + inserted + out.slice(at);
    else out = out.slice(0, at) + inserted + out.slice(end);
  }
  return out;
}

const mutatedText = (seeds: string[]) =>
  fc.tuple(fc.constantFrom(...seeds), fc.array(textEdit, { minLength: 1, maxLength: 4 })).map(([seed, edits]) => applyEdits(seed, edits));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value inside a document, the root included. */
function paths(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const here = [prefix];
  if (Array.isArray(value)) return here.concat(...value.map((item, i) => paths(item, [...prefix, i])));
  if (value !== null && typeof value === "object") return here.concat(...Object.entries(value).map(([key, item]) => paths(item, [...prefix, key])));
  return here;
}

type StructuralEdit = { at: number; kind: "replace" | "delete" | "add"; key: string; value: unknown };

/** Applies structural edits to a copy of `document`: each picks a path by index among all paths. */
function applyStructuralEdits(document: Json, edits: readonly StructuralEdit[]): unknown {
  let root = structuredClone(document);
  for (const { at, kind, key, value } of edits) {
    const all = paths(root);
    const path = all[at % all.length]!;
    if (path.length === 0) {
      if (kind === "replace") root = value as Json;
      continue;
    }
    let parent: Json = root;
    for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[step]!;
    const last = path.at(-1)!;
    const container = parent as Record<string | number, Json>;
    if (kind === "replace") container[last] = value as Json;
    else if (kind === "delete") {
      if (Array.isArray(container)) container.splice(last as number, 1);
      else delete container[last];
    } else {
      const target = container[last];
      if (target !== null && typeof target === "object" && !Array.isArray(target)) target[key] = value as Json;
    }
  }
  return root;
}

/** Keys the loaders know, so that added keys sometimes mean something. */
const knownKey = fc.constantFrom(
  "type",
  "url",
  "command",
  "container",
  "args",
  "env",
  "headers",
  "guard",
  "guards",
  "policy",
  "path",
  "port",
  "agentId",
  "agent_id",
  "tool_response_filters",
  "guard-policies",
  "guard_policies",
  "allow-only",
  "repos",
  "min-integrity",
  "toolTimeout",
  "tool_timeout",
  "payloadDir",
  "payload_dir",
  "mounts",
  "entrypoint",
  "entrypointArgs",
  "tools",
  "__proto__",
  "constructor",
);

function structuralEdits(value: fc.Arbitrary<unknown>): fc.Arbitrary<StructuralEdit[]> {
  return fc.array(
    fc.record({ at: fc.nat(), kind: fc.constantFrom<StructuralEdit["kind"]>("replace", "delete", "add"), key: fc.oneof(knownKey, fc.string()), value }),
    { minLength: 1, maxLength: 4 },
  );
}

/** Values TOML can write (no null; dates are left to the text mutations). */
const tomlValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constantFrom("docker", "http", "wasm", "/abs/path", "relative", "${TOKEN}", "", "public", "all"),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.oneof(knownKey, fc.string()), tie("value"), { maxKeys: 3 }),
  ),
})).value;

const jsonValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom("docker", "http", "wasm", "/abs/path", "${TOKEN}", "", 0, -1, 65536, 1e308));

const jsonDocuments = JSON_SEEDS.map((seed) => JSON.parse(seed) as Json);
const tomlDocuments = TOML_SEEDS.map((seed) => JSON.parse(JSON.stringify(parseToml(seed))) as Json);

describe("the JSON config loader under fuzzing", () => {
  it("loads or throws a ConfigError for random text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.json()), environment, (text, env) => void classify(() => loadJsonConfig(text, env))),
      { numRuns: RUNS },
    );
  });

  it("loads or throws a ConfigError for byte-level mutations of valid configs", () => {
    fc.assert(
      fc.property(mutatedText(JSON_SEEDS), environment, (text, env) => void classify(() => loadJsonConfig(text, env))),
      { numRuns: RUNS },
    );
  });

  it("loads or throws a ConfigError for structural mutations of valid configs", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.nat({ max: jsonDocuments.length - 1 }), structuralEdits(jsonValue), environment, (seed, edits, env) => {
        const text = JSON.stringify(applyStructuralEdits(jsonDocuments[seed]!, edits)) ?? "";
        seen.add(classify(() => loadJsonConfig(text, env)));
      }),
      { numRuns: RUNS },
    );
    // The mutations must reach past the parser: some configs still load.
    expect(seen).toEqual(new Set(["loaded", "config-error"]));
  });
});

describe("the TOML config loader under fuzzing", () => {
  it("loads or throws a ConfigError for random text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), environment, (text, env) => void classify(() => loadTomlConfig(text, env))),
      { numRuns: RUNS },
    );
  });

  it("loads or throws a ConfigError for byte-level mutations of valid configs", () => {
    fc.assert(
      fc.property(mutatedText(TOML_SEEDS), environment, (text, env) => void classify(() => loadTomlConfig(text, env))),
      { numRuns: RUNS },
    );
  });

  it("loads or throws a ConfigError for structural mutations of valid configs", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.nat({ max: tomlDocuments.length - 1 }), structuralEdits(tomlValue), environment, (seed, edits, env) => {
        const document = applyStructuralEdits(tomlDocuments[seed]!, edits);
        // Only a table is a TOML document: a root replaced by a scalar is written as a one-key table.
        const table = document !== null && typeof document === "object" && !Array.isArray(document) ? document : { value: document };
        seen.add(classify(() => loadTomlConfig(stringifyToml(table), env)));
      }),
      { numRuns: RUNS },
    );
    expect(seen).toEqual(new Set(["loaded", "config-error"]));
  });
});
