// Backend list methods (tools/list, prompts/list, ...) are paginated by an opaque cursor. A broken
// backend could hand back the same cursor forever, so collection stops on a repeated cursor or
// after a page cap, with an error that says which.

export const MAX_PAGES = 100;

export interface Page<T> {
  items: T[];
  nextCursor?: string | undefined;
}

export async function collectPages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await fetchPage(cursor);
    items.push(...result.items);
    cursor = result.nextCursor;
    if (cursor === undefined || cursor === "") return items;
    if (seen.has(cursor)) throw new Error(`pagination detected cyclical cursor "${cursor}"`);
    seen.add(cursor);
  }
  throw new Error(`pagination exceeded ${MAX_PAGES}-page limit`);
}
