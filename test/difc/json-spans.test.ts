import { describe, expect, it } from "vitest";
import { collectionResult, labelResponse } from "../../src/difc/index.ts";
import { jsonArrayText } from "../../src/difc/json-array-text.ts";
import { arrayElementSpans } from "../../src/difc/json-spans.ts";

const everyItem = (itemsPath: string, count: number) => ({
  items_path: itemsPath,
  labeled_paths: Array.from({ length: count }, (_, i) => ({ path: `${itemsPath}/${i}`, labels: { description: `item ${i}`, secrecy: [], integrity: [] } })),
});

/** Two flat objects of 100 keys (more than the key scan keeps in place), the second repeating its first key last. */
function manyKeys(): string {
  const keys = Array.from({ length: 100 }, (_, i) => `"key${i}":${i}`).join(",");
  return `{"items":[{${keys}},{${keys},"key0":"again"}]}`;
}

// Texts as backends write them: each must give the same items and the same filtered text as parsing it whole.
const texts: Array<[string, string]> = [
  ["plain objects", '{"items":[{"a":1,"b":"x"},{"a":2,"b":"y"}]}'],
  ["HTML characters raw and Go-escaped", '{"items":["<b>&amp;</b>","\\u003cb\\u003e\\u0026"]}'],
  ["unicode raw and escaped", '{"items":["héllo 日本","h\\u00e9llo","\\u65E5"]}'],
  ["surrogate pairs raw and escaped", '{"items":["\ud83d\ude00","\\ud83d\\ude00"]}'],
  ["lone surrogates raw and escaped", '{"items":["a\ud800b","a\\udc00b","\\uD800"]}'],
  ["short and long escapes", '{"items":["q\\"b\\\\s\\/n\\n\\t\\b\\f\\r","\\u0000\\u001f\\u000A\\u007f"]}'],
  ["numbers", '{"items":[0,-0,1e21,1E2,1.0,1.5,-1.25e-7,123456789012345678901,9007199254740993,1e400]}'],
  ["literals and nesting", '{"items":[true,false,null,[],{},[[1,{"z":{"y":[null]}}]]]}'],
  ["keys in odd orders", '{"items":[{"b":1,"a":2},{"10":1,"9":2,"x":3},{"a":1,"a":2},{"__proto__":1}]}'],
  ["flat objects, then nested ones", '{"items":[{"a":1,"b":"x"},{"a":-2,"a":3},{},{"n":{"a":1}},{"a":1,"a":2},{"k":true}]}'],
  ["flat objects with odd values", '{"items":[{"a":-0},{"a":1.5},{"a":"\\n"},{"a":123456789012345678},{"1":0},{"a":"\ud800"}]}'],
  ["flat objects of many keys, one naming its first key again last", manyKeys()],
  ["pretty-printed", '{\n  "items": [\n    {"a": 1},\n    { "b" : [ 1 , 2 ] }\n  ]\n}\n'],
  ["the array at the root", '[1,{"a":"b"},"c"]'],
  ["the collection deeper down", '{"data":{"page":[{"list":[{"id":1},{"id":2}]}]}}'],
];

const pathOf: Record<string, string> = { "the array at the root": "", "the collection deeper down": "/data/page/0/list" };

function parsedItems(text: string, itemsPath: string): unknown[] {
  let node: unknown = JSON.parse(text);
  for (const segment of itemsPath.split("/").slice(1)) node = (node as Record<string, unknown>)[segment];
  return node as unknown[];
}

describe("labelled collections read from the backend's JSON text", () => {
  it.each(texts)("gives the items and the filtered text that parsing and encoding would, for %s", (name, text) => {
    const itemsPath = pathOf[name] ?? "/items";
    const expected = parsedItems(text, itemsPath);
    const collection = labelResponse(everyItem(itemsPath, expected.length), { content: [{ type: "text", text }] });
    expect(collection?.items.map((item) => item.data)).toEqual(expected);
    const everyOther = collection?.items.filter((_, i) => i % 2 === 0) ?? [];
    expect(collectionResult(everyOther, null).content[0]?.text).toBe(JSON.stringify(expected.filter((_, i) => i % 2 === 0)));
    expect(collectionResult(collection?.items ?? [], null).content[0]?.text).toBe(JSON.stringify(expected));
  });

  it.each([
    ["text that is not JSON", '{"items":[1,2]', ["items"]],
    ["trailing garbage", '{"items":[1]} x', ["items"]],
    ["a path that is missing", '{"other":[1]}', ["items"]],
    ["a path to something else than an array", '{"items":{"a":1}}', ["items"]],
    ["a repeated key on the path", '{"items":[1],"items":[2]}', ["items"]],
    ["an index out of range", '{"a":[[1]]}', ["a", "3"]],
    ["a raw control character in a string", '{"items":["a\u0001"]}', ["items"]],
  ])("leaves %s to JSON.parse", (_name, text, segments) => {
    expect(arrayElementSpans(text, segments)).toBeNull();
  });

  it.each([
    ["a canonical object", '{"a":[1,"x",{"b":null}]}', true],
    ["whitespace", '{"a": 1}', false],
    ["a Go HTML escape", '"\\u003c"', false],
    ["an escaped slash", '"\\/"', false],
    ["a number JSON.stringify writes otherwise", "1.0", false],
    ["negative zero", "-0", false],
    ["an integer-like key", '{"1":true}', false],
    ["a repeated key", '{"a":1,"a":1}', false],
    ["a repeated key after a string holding a comma and a colon", '{"a":"x,b:1","b":2,"a":3}', false],
    ["a string holding a comma and a colon, no key repeated", '{"a":"x,a:1","b":2}', true],
    ["an object holding negative zero", '{"a":-0}', false],
    ["an object holding an integer beyond double precision", '{"a":123456789012345678}', false],
    ["an object holding a decimal JSON.stringify writes the same", '{"a":1.5}', true],
    ["a flat object with every kind of value", '{"s":"x","i":-12,"z":0,"t":true,"f":false,"n":null}', true],
    ["a control character JSON.stringify escapes the same way", '"\\u0001\\n"', true],
  ])("marks %s as canonical: %s", (_name, element, canonical) => {
    expect(arrayElementSpans(`[${element}]`, [])).toEqual([{ start: 1, end: 1 + element.length, canonical }]);
  });
});

describe("the text of a JSON array", () => {
  const big = (piece: string) => Array.from({ length: 1500 }, (_, i) => JSON.stringify({ i, text: `${piece}`.repeat(400) }));
  it.each([
    ["no elements", []],
    ["a few short elements", ["1", '"a"', "{}"]],
    ["megabytes of ASCII", big('ab<&"')],
    ["megabytes with non-ASCII text", big("é日")],
    ["megabytes with a surrogate pair", big("\ud83d\ude00")],
    ["megabytes of ASCII, then an element of two 3-byte characters", [...big("ab"), '"€€"']],
    ["megabytes of ASCII, then a lone surrogate", [...big("ab"), '"\ud800"']],
  ])("is the elements joined by commas in brackets, for %s", (_name, elements) => {
    expect(jsonArrayText(elements)).toBe(`[${elements.join(",")}]`);
  });
});
