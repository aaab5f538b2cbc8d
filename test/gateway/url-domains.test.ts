import { describe, expect, it } from "vitest";
import { urlDomains } from "../../src/gateway/forward/url-audit.ts";

describe("URL domains of a JSON value", () => {
  it.each<[string, unknown, string[]]>([
    ["a plain URL", "see https://example.com/path", ["example.com"]],
    ["upper case host and scheme", "HTTPS://Docs.Example.ORG/A", ["docs.example.org"]],
    ["http and a port", "http://localhost:8080/x", ["localhost"]],
    ["user info is not the host", "https://user:secret@api.example.net/", ["api.example.net"]],
    ["trailing sentence punctuation", "read https://a.example. or (https://b.example), ok?", ["a.example", "b.example"]],
    ["a URL closed by brackets and quotes", "[https://c.example]} 'https://d.example'!", ["c.example", "d.example"]],
    ["URLs inside JSON text", JSON.stringify({ html_url: "https://github.com/o/r/pull/1" }), ["github.com"]],
    [
      "strings anywhere in the tree, sorted and unique",
      { a: ["https://z.example", { b: "https://a.example https://z.example/2" }], n: 1 },
      ["a.example", "z.example"],
    ],
    ["an IPv6 host", "http://[::1]:3000/", ["[::1]"]],
    ["no scheme, another scheme, or nothing after the scheme", "www.example.com ftp://f.example https:// mailto:x@y.example", []],
    ["non-string leaves", [1, true, null, { k: 2 }], []],
  ])("%s", (_name, value, expected) => {
    expect(urlDomains(value)).toEqual(expected);
  });
});
