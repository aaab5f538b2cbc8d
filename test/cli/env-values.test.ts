import { describe, expect, it } from "vitest";
import { envBoolean, parseGoDuration, positiveInteger } from "../../src/cli/env-values.ts";

describe("typed values from environment variables", () => {
  it.each([
    ["5s", 5000],
    ["1m30s", 90_000],
    ["1.5h", 5_400_000],
    ["250ms", 250],
    ["100us", 0.1],
    ["100µs", 0.1],
    ["3ns", 3e-6],
    ["0", 0],
    ["-2s", -2000],
    [".5s", 500],
    ["5", undefined],
    ["", undefined],
    ["s", undefined],
    ["5 s", undefined],
    ["5d", undefined],
    ["1h-30m", undefined],
  ])("parses the Go duration %j", (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each([
    ["1", true],
    ["TRUE", true],
    ["yes", true],
    [" on ", true],
    ["0", false],
    ["False", false],
    ["no", false],
    ["off", false],
    ["maybe", undefined],
    [undefined, undefined],
  ])("reads the boolean %j", (value, expected) => {
    expect(envBoolean(value)).toBe(expected);
  });

  it.each([
    ["42", 42],
    ["+7", 7],
    ["0", undefined],
    ["-3", undefined],
    ["1.5", undefined],
    ["1e3", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("reads the positive integer %j", (value, expected) => {
    expect(positiveInteger(value)).toBe(expected);
  });
});
