// How a filter's output becomes the client's result, case by case, with jq in worker threads.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, describe, expect, it } from "vitest";
import type { ServerConfig } from "../../src/config/types.ts";
import { JqEngine } from "../../src/config/jq/engine.ts";
import { ResponseFilters } from "../../src/gateway/results/response-filter.ts";
import { RecordingLogger } from "../support/recording-logger.ts";
import { stdioServer } from "../support/mcp-servers.ts";

const engine = new JqEngine({ workers: 1 });
afterAll(() => engine.close());

function filtersFor(filter: string): { filters: ResponseFilters; logger: RecordingLogger } {
  const server: ServerConfig = stdioServer("s", "unused.js", { toolResponseFilters: { t: filter } });
  const logger = new RecordingLogger();
  return { filters: new ResponseFilters([server], engine, logger), logger };
}

const text = (value: string) => ({ type: "text" as const, text: value });
const NOTICE = text("[Filtered] 1 item(s) in this response were removed by policy and are not shown.");

describe("applying a tool response filter", () => {
  it.each<[string, string, CallToolResult, CallToolResult]>([
    [
      "JSON text: the output replaces it, later items stay",
      ".items[0]",
      { content: [text('{"items":[{"id":1},{"id":2}]}'), NOTICE] },
      { content: [text('{"id":1}'), NOTICE] },
    ],
    ["JSON text: a string output stays JSON-serialised", ".name", { content: [text('{"name":"x\\ny"}')] }, { content: [text('"x\\ny"')] }],
    ["JSON text: large integers keep their digits", ".n", { content: [text('{"n":12345678901234567890}')] }, { content: [text("12345678901234567890")] }],
    [
      "JSON text: structuredContent and _meta stay",
      "{a}",
      { content: [text('{"a":1,"b":2}')], structuredContent: { a: 1, b: 2 }, _meta: { k: "v" } },
      { content: [text('{"a":1}')], structuredContent: { a: 1, b: 2 }, _meta: { k: "v" } },
    ],
    [
      "not JSON: the output's content is converted item by item",
      '{content: (.content + [{type: "image", data: "AA==", mimeType: "image/png"}, {type: "resource", resource: {uri: "x://r", text: "r"}}, {type: "resource_link", uri: "x://y", name: "y"}, 7])}',
      { content: [text("plain")] },
      {
        content: [
          text("plain"),
          { type: "image", data: "AA==", mimeType: "image/png" },
          { type: "resource", resource: { uri: "x://r", text: "r" } },
          text(""),
          text("7"),
        ],
      },
    ],
    ["not JSON: an output without content becomes its JSON text", ".content[0].text | length", { content: [text("plain")] }, { content: [text("5")] }],
    [
      "not JSON: isError and _meta of the result stay",
      '{content: [{type: "text", text: "short"}]}',
      { content: [text("long text")], isError: false, _meta: { m: 1 } },
      { content: [text("short")], isError: false, _meta: { m: 1 } },
    ],
    ["env and $ENV are empty", "[env, $ENV]", { content: [text("{}")] }, { content: [text("[{},{}]")] }],
  ])("%s", async (_name, filter, result, expected) => {
    const { filters, logger } = filtersFor(filter);
    expect(await filters.apply("s", "t", result)).toEqual(expected);
    expect(logger.lines).toEqual([]);
  });

  it.each([
    ["two outputs", ".[]", "tool response filter returned multiple results — use array form ([.a, .b]) to combine outputs into a single value"],
    ["no output", "empty", "tool response filter returned no results"],
    ["a runtime error", ".a | keys", "tool response filter error: number (1) has no keys"],
    ["error/1", 'error("refused")', "tool response filter error: refused"],
  ])("returns the result unfiltered and warns on %s", async (_name, filter, reason) => {
    const { filters, logger } = filtersFor(filter);
    const result: CallToolResult = { content: [text('{"a":1,"b":2}')] };
    expect(await filters.apply("s", "t", result)).toBe(result);
    expect(logger.lines).toEqual([
      { level: "warn", category: "payload", message: `Failed to apply tool response filter, returning original response: server=s, tool=t, error=${reason}` },
    ]);
  });

  it.each<[string, string, string, CallToolResult]>([
    ["an error result", "s", "t", { content: [text('{"a":1}')], isError: true }],
    ["another tool", "s", "other", { content: [text('{"a":1}')] }],
    ["another server", "z", "t", { content: [text('{"a":1}')] }],
  ])("leaves %s alone", async (_name, server, tool, result) => {
    const { filters } = filtersFor(".a");
    expect(await filters.apply(server, tool, result)).toBe(result);
  });
});

describe("the jq engine", () => {
  it("stops a program that never ends at the timeout, and runs the next one on a new worker", async () => {
    const quick = new JqEngine({ timeoutMs: 300, workers: 1 });
    try {
      await expect(quick.run("def spin: spin; spin", "null")).rejects.toThrow("timed out after 300 ms");
      await expect(quick.run("[range(infinite)]", "null")).rejects.toThrow("timed out after 300 ms");
      expect(await quick.run(".a", '{"a":[1]}')).toEqual({ exitCode: 0, stdout: "[1]", stderr: "" });
    } finally {
      await quick.close();
    }
  });

  it("fails queued and new runs once closed", async () => {
    const closing = new JqEngine({ workers: 1 });
    const queued = expect(closing.run(".", "1")).rejects.toThrow("the jq engine is closed");
    await closing.close();
    await queued;
    await expect(closing.run(".", "1")).rejects.toThrow("the jq engine is closed");
  });
});
