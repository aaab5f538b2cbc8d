import { describe, expect, it } from "vitest";
import { parseAgentLabels, parseResourceLabels, parseResponseLabels } from "../../src/guard/results.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("parsing label_agent output", () => {
  it.each([
    ['{"difc_mode":"strict"}', { secrecy: [], integrity: [], difcMode: "strict" }],
    ['{"difc_mode":"FILTER","success":true,"ok":true,"error":"  ","extra":1}', { secrecy: [], integrity: [], difcMode: "filter" }],
    [
      '{"agent":{"secrecy":["private:a"],"integrity":["none"]},"difc_mode":"propagate","normalized_policy":{"scope_kind":"All"}}',
      { secrecy: ["private:a"], integrity: ["none"], difcMode: "propagate", normalizedPolicy: { scope_kind: "All" } },
    ],
  ])("accepts %s", (text, expected) => {
    expect(parseAgentLabels(bytes(text))).toEqual(expected);
  });

  it.each([
    ["", "label_agent returned empty response"],
    ["\0\0", "failed to unmarshal label_agent response"],
    ["[]", "failed to unmarshal label_agent response"],
    ['{"difc_mode":"filt', "failed to unmarshal label_agent response"],
    ['{"success":false,"error":"bad repos"}', "label_agent rejected policy: bad repos"],
    ['{"ok":false}', "label_agent returned non-success status"],
    ['{"error":"boom","difc_mode":"filter"}', "label_agent returned error: boom"],
    ["{}", "label_agent response missing difc_mode"],
    ['{"difc_mode":"  "}', "label_agent response missing difc_mode"],
    ['{"difc_mode":"lenient"}', "invalid difc_mode from label_agent: unknown enforcement mode: lenient"],
    ['{"difc_mode":" filter"}', "invalid difc_mode"],
    ['{"difc_mode":1}', "failed to decode label_agent response"],
    ['{"difc_mode":"filter","agent":{"secrecy":[1]}}', "failed to decode label_agent response"],
  ])("rejects %j", (text, error) => {
    expect(() => parseAgentLabels(bytes(text))).toThrow(error);
  });
});

describe("parsing label_resource output", () => {
  it.each([
    [
      '{"resource":{"description":"d","secrecy":["s",1],"integrity":"x"},"operation":"read"}',
      { description: "d", secrecy: ["s"], integrity: [], operation: "read" },
    ],
    ['{"resource":{"description":5},"operation":"read-write"}', { description: "", secrecy: [], integrity: [], operation: "read-write" }],
    ['{"resource":{},"operation":"READ"}', { description: "", secrecy: [], integrity: [], operation: "write" }],
    ['{"resource":{}}', { description: "", secrecy: [], integrity: [], operation: "write" }],
  ])("parses %s", (text, expected) => {
    expect(parseResourceLabels(bytes(text))).toEqual(expected);
  });

  it.each([
    ["", "failed to unmarshal label_resource WASM response"],
    ['{"resource":"x"}', "invalid resource format in guard response"],
    ['{"resource":[]}', "invalid resource format in guard response"],
    ['{"operation":"read"}', "invalid resource format in guard response"],
  ])("rejects %j", (text, error) => {
    expect(() => parseResourceLabels(bytes(text))).toThrow(error);
  });
});

describe("parsing label_response output", () => {
  it.each([
    ["", null],
    ["{}", {}],
    ['{"items":[{"data":"x"}]}', { items: [{ data: "x" }] }],
  ])("returns %j as the guard's object", (text, expected) => {
    expect(parseResponseLabels(bytes(text))).toEqual(expected);
  });

  it.each(["\0\0", "[1]", "nope"])("rejects %j", (text) => {
    expect(() => parseResponseLabels(bytes(text))).toThrow("failed to unmarshal label_response WASM response");
  });
});
