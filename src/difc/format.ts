/** Human-readable renderings of tag lists used in reason texts, matching the reference's wording. */

/** The reference prints lists in Go's `%v` form: `[a b]`. */
export function goList(tags: readonly string[]): string {
  return `[${tags.join(" ")}]`;
}

const INTEGRITY_RANK: Record<string, number> = { unapproved: 1, approved: 2, merged: 3 };

/** `none` for no tags, the highest known level (quoted) among the tags, or the list itself. */
export function formatIntegrityLevel(tags: readonly string[]): string {
  if (tags.length === 0) return "none";
  let best = 0;
  for (const tag of tags) {
    const colon = tag.indexOf(":");
    const stem = colon > 0 ? tag.slice(0, colon) : tag;
    best = Math.max(best, INTEGRITY_RANK[stem] ?? 0);
  }
  const name = Object.keys(INTEGRITY_RANK).find((key) => INTEGRITY_RANK[key] === best);
  return name === undefined ? goList(tags) : `"${name}"`;
}

const PRIVATE_PREFIX = "private:";

/** `public` for no tags, `private (<widest scope>)`, bare `private`, or the list itself. */
export function formatSecrecyLevel(tags: readonly string[]): string {
  if (tags.length === 0) return "public";
  let scope = "";
  for (const tag of tags) {
    if (!tag.startsWith(PRIVATE_PREFIX)) continue;
    const rest = tag.slice(PRIVATE_PREFIX.length);
    if (rest.length > scope.length) scope = rest;
  }
  if (scope !== "") return `private (${scope})`;
  if (tags.includes("private")) return "private";
  return goList(tags);
}
