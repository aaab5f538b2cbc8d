// How a URL is shown in messages, logs and spans: where a key may be (user info, query) only that one is there.
import { describe, expect, it } from "vitest";
import { urlWithoutSecrets } from "../../src/shared/index.ts";

describe("a URL as messages show it", () => {
  it.each([
    ["https://collector.example:4318/v1/traces", "https://collector.example:4318/v1/traces"],
    ["https://user:key@collector.example/v1/traces", "https://***@collector.example/v1/traces"],
    ["https://collector.example/v1/traces?api_key=key", "https://collector.example/v1/traces?***"],
    ["https://collector.example/v1/traces#key", "https://collector.example/v1/traces"],
    ["redis://:key@10.0.0.5:6379/2?password=key", "redis://***@10.0.0.5:6379/2?***"],
    ["unix:///run/redis/redis.sock", "unix:///run/redis/redis.sock"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
    ["http://127.0.0.1:8080/", "http://127.0.0.1:8080/"],
    ["https://api.example.com?token=key", "https://api.example.com?***"],
    ["key@10.0.0.5:6379", "(invalid URL)"],
    ["", "(invalid URL)"],
  ])("%j is shown as %j", (url, shown) => {
    expect(urlWithoutSecrets(url)).toBe(shown);
  });
});
