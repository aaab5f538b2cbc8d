import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InMemoryAgentStore } from "../../src/difc/index.ts";
import { EnforcementPipeline } from "../../src/enforce/index.ts";
import { GuardSessions } from "../../src/enforce/guard-sessions.ts";
import { loadWasmGuard, type Guard } from "../../src/guard/index.ts";
import { builtGuardPath } from "../support/guards.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

// guards/bench-labels labels every item of {"items":[…]} by path and marks one in four secret:
// the pipeline must answer exactly the JSON.stringify of the other items, however the backend
// wrote its text, and log each removed item with its fields.
let guard: Guard;
beforeAll(async () => {
  guard = await loadWasmGuard(builtGuardPath("bench-labels"), { name: "bench-labels", poolSize: 1 });
});
afterAll(() => guard.close());

const body = (i: number) => `line ${i}: <b>&amp;</b> "quoted" \\ é 日本 \ud83d\ude00 `.repeat(40);
const item = (i: number) => ({ number: i, title: `item ${i}`, html_url: `https://example.test/items/${i}`, user: { login: `u${i}` }, body: body(i) });
const ITEMS = 64;

const texts: Array<[string, string]> = [
  ["JSON.stringify's own text", JSON.stringify({ items: Array.from({ length: ITEMS }, (_, i) => item(i)) })],
  [
    "Go's encoding (HTML escapes, escaped non-ASCII)",
    JSON.stringify({ items: Array.from({ length: ITEMS }, (_, i) => item(i)) })
      .replaceAll("<", "\\u003c")
      .replaceAll(">", "\\u003e")
      .replaceAll("&", "\\u0026")
      .replaceAll("é", "\\u00e9"),
  ],
  ["spaces between tokens", JSON.stringify({ items: Array.from({ length: ITEMS }, (_, i) => item(i)) }).replaceAll(',"title":', ', "title" : ')],
  [
    "ASCII only, numbers written otherwise",
    JSON.stringify({ items: Array.from({ length: ITEMS }, (_, i) => ({ ...item(i), body: "x".repeat(1200) })) }).replaceAll('"number":1,', '"number":1.0,'),
  ],
];

describe("a filtered collection through the pipeline", () => {
  it.each(texts)("answers the visible items as JSON.stringify would, for %s", async (_name, text) => {
    const store = new InMemoryAgentStore();
    const logger = new RecordingLogger();
    const pipeline = new EnforcementPipeline({
      guards: new Map([["bench", { serverId: "bench", guard, policy: null, wasm: true }]]),
      sessions: new GuardSessions({ store, defaultMode: "filter" }),
      store,
      logger,
    });
    const call = { serverId: "bench", agentId: "agent", toolName: "list_items", args: {}, signal: new AbortController().signal, callBackend: async () => null };
    const result = (await pipeline.run(call, async () => ({ content: [{ type: "text", text }] }))) as { content: Array<{ text: string }> };

    const items = (JSON.parse(text) as { items: unknown[] }).items;
    expect(result.content[0]?.text).toBe(JSON.stringify(items.filter((_, i) => i % 4 !== 0)));
    expect(logger.filtered.map((record) => [record.number, record.htmlUrl, record.authorLogin])).toEqual(
      items.flatMap((_, i) => (i % 4 === 0 ? [[String(i), `https://example.test/items/${i}`, `u${i}`]] : [])),
    );
  });
});
