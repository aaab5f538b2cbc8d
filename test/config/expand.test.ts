import { describe, expect, it } from "vitest";
import { expandJsonText, expandValue } from "../../src/config/expand.ts";
import { parseEnvFile } from "../../src/config/env-file.ts";
import type { ConfigIssue } from "../../src/config/issues.ts";

describe("${VAR} expansion of JSON text", () => {
  it.each([
    ['{"a": "${A}"}', { A: "x" }, { a: "x" }],
    ['{"a": "pre-${A}-${B}"}', { A: "1", B: "2" }, { a: "pre-1-2" }],
    ['{"a": ${N}}', { N: "42" }, { a: 42 }],
    ['{"a": "${A}"}', { A: "" }, { a: "" }],
    ['{"a": "${A}"}', { A: 'quote " and \\ backslash\nnewline' }, { a: 'quote " and \\ backslash\nnewline' }],
    ['{"a": "${A}", "b": "x"}', { A: '", "b": "injected' }, { a: '", "b": "injected', b: "x" }],
    ['{"a": "$A", "b": "${lower_case1}"}', { A: "no", lower_case1: "yes" }, { a: "$A", b: "yes" }],
    ['{"a": "\\"${A}\\""}', { A: "q" }, { a: '"q"' }],
    ['{"${K}": 1}', { K: "key" }, { key: 1 }],
    ['{"a": "${1BAD}"}', {}, { a: "${1BAD}" }],
  ])("expands %s", (text, env, expected) => {
    expect(JSON.parse(expandJsonText(text, env))).toEqual(expected);
  });

  it("expands a string value and records each undefined name with its path", () => {
    const issues: ConfigIssue[] = [];
    expect(expandValue("https://${HOST}/${MISSING}", { HOST: "h" }, "gateway.opentelemetry.endpoint", issues)).toBe("https://h/${MISSING}");
    expect(issues).toEqual([
      expect.objectContaining({ path: "gateway.opentelemetry.endpoint", problem: "undefined environment variable referenced: MISSING" }),
    ]);
  });
});

describe(".env file format", () => {
  it("parses KEY=VALUE lines the reference's way", () => {
    const text = [
      "# a comment",
      "",
      "  PLAIN = value  ",
      "EQUALS=a=b",
      'QUOTED="kept"',
      "no equals sign",
      "REF=${HOME}/x",
      "BARE=$HOME-y",
      "UNSET=${NOT_SET_ANYWHERE}",
      "CHAIN=${PLAIN}!",
    ].join("\n");
    expect(parseEnvFile(text, { HOME: "/root" })).toEqual([
      ["PLAIN", "value"],
      ["EQUALS", "a=b"],
      ["QUOTED", '"kept"'],
      ["REF", "/root/x"],
      ["BARE", "/root-y"],
      ["UNSET", ""],
      ["CHAIN", "value!"],
    ]);
  });
});
