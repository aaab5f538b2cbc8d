import { describe, expect, it } from "vitest";
import { nestsDeeperThan } from "../../src/shared/nesting-depth.ts";

/** `depth` arrays inside one another, built without recursion. */
function arrays(depth: number): unknown {
  let value: unknown = [];
  for (let level = 1; level < depth; level++) value = [value];
  return value;
}

describe("nestsDeeperThan", () => {
  it.each([
    { what: "a scalar", value: "text", limit: 0, deeper: false },
    { what: "null", value: null, limit: 0, deeper: false },
    { what: "an empty object at the limit of 1", value: {}, limit: 1, deeper: false },
    { what: "arrays exactly at the limit", value: arrays(10), limit: 10, deeper: false },
    { what: "arrays one level past the limit", value: arrays(11), limit: 10, deeper: true },
    { what: "objects and arrays mixed, past the limit in a later key", value: { a: 1, b: [{ c: [[]] }] }, limit: 3, deeper: true },
    { what: "a wide but shallow value", value: Array.from({ length: 10_000 }, () => ({ x: [1] })), limit: 3, deeper: false },
    { what: "a million levels, without overflowing the stack", value: arrays(1_000_000), limit: 1000, deeper: true },
  ])("$what: $deeper", ({ value, limit, deeper }) => {
    expect(nestsDeeperThan(value, limit)).toBe(deeper);
  });
});
