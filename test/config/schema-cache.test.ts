import { existsSync, readdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cachedValidator } from "../../src/config/schema-cache.ts";

// Inside node_modules, as the real cache is: the generated code requires ajv's runtime from there.
const cacheDir = fileURLToPath(new URL(`../../node_modules/.cache/flowgate-schema-test-${process.pid}/`, import.meta.url));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const common = { $id: "https://example.test/common.json", $defs: { port: { type: "integer", minimum: 1, maximum: 65535, description: "a TCP port" } } };
const schema = {
  type: "object",
  properties: { name: { type: "string", minLength: 1 }, port: { $ref: "https://example.test/common.json#/$defs/port" } },
  required: ["name"],
  additionalProperties: false,
};
const options = { allErrors: true, verbose: true, strict: true };

describe("the cached config schema validator", () => {
  it.each([
    ["a valid document", { name: "gateway", port: 80 }],
    ["a missing field and a port out of range", { port: 70000 }],
    ["an unknown field and a wrong type", { name: 3, extra: true }],
  ])("judges %s exactly as the freshly compiled one does", (_, document) => {
    const compiled = cachedValidator(schema, [common], options, `${cacheDir}/${Math.random()}`);
    const first = cachedValidator(schema, [common], options, cacheDir);
    expect(readdirSync(cacheDir).filter((name) => name.endsWith(".cjs"))).toHaveLength(1);
    const loaded = cachedValidator(schema, [common], options, cacheDir);
    const verdicts = [compiled, first, loaded].map((validate) => ({ valid: validate(document), errors: validate.errors ?? null }));
    expect(verdicts[1]).toEqual(verdicts[0]);
    expect(verdicts[2]).toEqual(verdicts[0]);
  });

  it("compiles in memory when the cache cannot be written", () => {
    // A directory that cannot exist: its parent is a file.
    const unwritable = `${fileURLToPath(import.meta.url)}/cache`;
    const validate = cachedValidator(schema, [common], options, unwritable);
    expect(validate({ name: "" })).toBe(false);
    expect(existsSync(unwritable)).toBe(false);
  });
});
