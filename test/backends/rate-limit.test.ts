import { describe, expect, it } from "vitest";
import { detectRateLimit } from "../../src/backends/rate-limit.ts";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const errorResult = (...texts: string[]) => ({ isError: true, content: texts.map((text) => ({ type: "text", text })) });

describe("detectRateLimit", () => {
  it.each([
    ["API rate limit exceeded for user", errorResult("API rate limit exceeded for user ID 1.")],
    ["rate limit exceeded, any case", errorResult("Rate Limit Exceeded")],
    ["rate limit together with 403", errorResult("403 Forbidden: rate limit hit")],
    ["rate limit and 403 in different items", errorResult("status 403", "you hit a rate limit")],
    ["secondary rate limit", errorResult("You have exceeded a secondary rate limit.")],
    ["too many requests", errorResult("429 Too Many Requests")],
  ])("reports a rate limit: %s", (_name, result) => {
    expect(detectRateLimit(result, NOW)).toEqual({});
  });

  it.each([
    ["a successful result with the same text", { content: [{ type: "text", text: "API rate limit exceeded" }] }],
    ["isError not exactly true", { isError: "true", content: [{ type: "text", text: "too many requests" }] }],
    ["rate limit without 403 or a marker phrase", errorResult("rate limit: 10 of 5000 used")],
    ["an unrelated error", errorResult("404 Not Found")],
    ["an error without content", { isError: true }],
    ["an error whose text is not in text items", { isError: true, content: [{ type: "image", data: "too many requests" }] }],
    ["not an object", "API rate limit exceeded"],
    ["null", null],
  ])("ignores %s", (_name, result) => {
    expect(detectRateLimit(result, NOW)).toBeNull();
  });

  it.each([
    ["rate reset in 30s", NOW + 30_000],
    ["Rate Reset In 5s", NOW + 5_000],
    ["rate reset in 0s", undefined],
    ["rate reset in soon", undefined],
  ])("reads the reset time from %j", (hint, resetAt) => {
    const hit = detectRateLimit(errorResult(`API rate limit exceeded; ${hint}`), NOW);
    expect(hit).toEqual(resetAt === undefined ? {} : { resetAt });
  });
});
