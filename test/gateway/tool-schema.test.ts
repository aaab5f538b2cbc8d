import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { normalizeInputSchema } from "../../src/gateway/sessions/tool-schema.ts";

const tool = (inputSchema: unknown) => ({ name: "t", inputSchema }) as Tool;

describe("normalizeInputSchema", () => {
  it.each([
    ["a missing schema", undefined, { type: "object", properties: {} }, "missing inputSchema"],
    ["properties without a type", { properties: { a: { type: "string" } } }, { type: "object", properties: { a: { type: "string" } } }, 'added type "object"'],
    ["neither type nor properties", {}, { type: "object", properties: {} }, 'added type "object"'],
    ["an object type without properties", { type: "object" }, { type: "object", properties: {} }, "added empty properties"],
  ])("repairs %s and says what changed", (_case, input, expected, change) => {
    const result = normalizeInputSchema(tool(input));
    expect(result.tool.inputSchema).toEqual(expected);
    expect(result.change).toContain(change);
  });

  it.each([
    ["a complete object schema", { type: "object", properties: { a: { type: "number" } }, required: ["a"] }],
    ["an object schema closed by additionalProperties", { type: "object", additionalProperties: false }],
  ])("leaves %s alone", (_case, input) => {
    const result = normalizeInputSchema(tool(input));
    expect(result.tool.inputSchema).toBe(input);
    expect(result.change).toBeUndefined();
  });
});
