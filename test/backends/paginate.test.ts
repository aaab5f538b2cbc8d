import { describe, expect, it } from "vitest";
import { restartDelayMs } from "../../src/backends/backoff.ts";
import { collectPages, MAX_PAGES } from "../../src/backends/paginate.ts";

/** A paginated list whose page i holds item i and points at `next(i)`. */
function pages(next: (page: number) => string | undefined) {
  return async (cursor: string | undefined) => {
    const page = cursor === undefined ? 0 : Number(cursor);
    return { items: [page], nextCursor: next(page) };
  };
}

describe("collectPages", () => {
  it.each([
    ["a single page", () => undefined, [0]],
    ["three pages", (page: number) => (page < 2 ? String(page + 1) : undefined), [0, 1, 2]],
    ["an empty cursor as the end", (page: number) => (page < 1 ? "1" : ""), [0, 1]],
  ])("collects %s", async (_case, next, expected) => {
    expect(await collectPages(pages(next))).toEqual(expected);
  });

  it.each([
    ["a repeated cursor", () => "1", 'pagination detected cyclical cursor "1"'],
    ["more pages than the cap", (page: number) => String(page + 1), `pagination exceeded ${MAX_PAGES}-page limit`],
  ])("stops on %s with an error saying so", async (_case, next, message) => {
    await expect(collectPages(pages(next))).rejects.toThrow(message);
  });
});

describe("restartDelayMs", () => {
  it.each([
    [0, 0],
    [1, 0],
    [2, 250],
    [3, 500],
    [5, 2000],
    [20, 10_000],
  ])("after %i consecutive failures allows a relaunch %i ms later", (failures, delay) => {
    expect(restartDelayMs(failures)).toBe(delay);
  });
});
