// Attack (on a mistake): the state store's password rides in its URL, in the user info or in the
// query (`?password=`, which the Redis client takes as well). The start-up error and the line that
// names the store showed the URL with only its user info masked, so a password in the query, or in
// text that is not a URL at all, reached stderr and the logs. Both are now shown as `***` or not quoted.
import { describe, expect, it } from "vitest";
import { openStateBackend } from "../../src/state/index.ts";

const PASSWORD = "hunter2";

describe("a state store URL holding the password, when the store cannot be used", () => {
  it.each([
    ["in the user info", `redis://:${PASSWORD}@127.0.0.1:1`, /^cannot reach the state store at redis:\/\/\*\*\*@127\.0\.0\.1:1: /],
    ["in the query", `redis://127.0.0.1:1?password=${PASSWORD}`, /^cannot reach the state store at redis:\/\/127\.0\.0\.1:1\?\*\*\*: /],
    [
      "in both, with a database",
      `rediss://default:${PASSWORD}@127.0.0.1:1/2?password=${PASSWORD}`,
      /^cannot reach the state store at rediss:\/\/\*\*\*@127\.0\.0\.1:1\/2\?\*\*\*: /,
    ],
    [
      "in text that is not a URL (no scheme)",
      `${PASSWORD}@127.0.0.1:6379`,
      /^invalid state store URL: not a URL \(not quoted here: it may hold the password\)/,
    ],
    ["in a URL with no host", `redis://:${PASSWORD}@`, /^invalid state store URL: not a URL/],
  ])("%s: says what is wrong without it", async (_where, url, message) => {
    const error = await openStateBackend(url).then(
      () => undefined,
      (failure: unknown) => failure as Error,
    );
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain(PASSWORD);
  });
});
