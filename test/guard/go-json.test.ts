import { describe, expect, it } from "vitest";
import { goJson, goJsonBytes } from "../../src/guard/go-json.ts";

/** Long enough for goJsonBytes's direct path for long strings. */
const LONG = "x".repeat(70_000);
const long = (piece: string) => `${LONG}${piece}${LONG}`;

const tricky: Array<[string, unknown]> = [
  ["HTML characters", '<a href="x">&amp;</a>'],
  ["quotes and backslashes", 'say "hi" \\ C:\\path\\'],
  ["control characters", "\u0000\u0001\b\t\n\u000b\f\r\u001f\u007f"],
  ["line and paragraph separators", "a\u2028b\u2029c"],
  ["non-ASCII text", "héllo wörld 日本語"],
  ["a surrogate pair", "emoji \ud83d\ude00 here"],
  ["a lone high surrogate", "lone \ud800 high"],
  ["a lone low surrogate", "lone \udc00 low"],
  ["ASCII only", "plain text, nothing to escape"],
];

const structures: Array<[string, unknown]> = [
  ["nested keys out of order", { z: { b: [1, { d: null, c: true }], a: "<" }, a: [], m: {} }],
  ["integer-like keys", { b: 1, "10": 2, "9": 3, "": 4, "01": 5 }],
  ["numbers", [0, -0, 1e21, 1e-7, -1.5, 123456789012345680000, Number.MAX_SAFE_INTEGER, Number.NaN, Number.POSITIVE_INFINITY]],
  ["undefined, functions and symbols", { a: undefined, b: () => 1, c: Symbol("s"), d: [undefined, () => 1, Symbol("s")] }],
  ["undefined at the top", undefined],
  ["a Date and boxed primitives", { when: new Date(0), n: Object(1), s: Object("<s>"), t: Object(true) }],
  ["keys needing escapes", { "<k>": 1, 'q"uote': 2, "\u2028": 3, é: 4 }],
  [
    "a guard input with a long text block",
    { capabilities: {}, tool_args: { page: 1 }, tool_name: "t", tool_result: { content: [{ type: "text", text: long('{"a":"<b>&\\"c"}') }] } },
  ],
  ["two long strings side by side", [long("<"), long(">"), "short &"]],
  ["a long string that is the whole value", long("&")],
  ["a long string without anything to escape", LONG],
];

describe("goJsonBytes", () => {
  it.each([
    ...tricky.map(([name, text]): [string, unknown] => [`short string: ${name}`, { s: text }]),
    ...tricky.map(([name, text]): [string, unknown] => [`long string: ${name}`, { s: long(text as string) }]),
    ...structures,
  ])("is byte-identical to goJson's text as UTF-8 for %s", (_name, value) => {
    expect(Buffer.from(goJsonBytes(value)).equals(Buffer.from(new TextEncoder().encode(goJson(value))))).toBe(true);
  });

  it.each([
    ["short", '<&>\u2028"\\'],
    ["long", long('<&>\u2028"\\')],
  ])("escapes a %s string as Go does", (_name, text) => {
    const expected = `{"a":"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("<", "\\u003c").replaceAll(">", "\\u003e").replaceAll("&", "\\u0026").replaceAll("\u2028", "\\u2028")}"}`;
    expect(new TextDecoder().decode(goJsonBytes({ a: text }))).toBe(expected);
  });

  it.each([
    ["small", { a: 1 }],
    ["with a long string", { a: long("<") }],
  ])("returns bytes that own their whole buffer (%s), so the buffer can be transferred", (_name, value) => {
    const bytes = goJsonBytes(value);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(bytes.length);
  });

  it("fails on a cycle as goJson does", () => {
    const cyclic: Record<string, unknown> = { text: LONG };
    cyclic["self"] = cyclic;
    const failure = (encode: () => unknown) => {
      try {
        encode();
      } catch (error) {
        return (error as Error).constructor;
      }
      return null;
    };
    expect(failure(() => goJson(cyclic))).not.toBeNull();
    expect(failure(() => goJsonBytes(cyclic))).toBe(failure(() => goJson(cyclic)));
  });
});
