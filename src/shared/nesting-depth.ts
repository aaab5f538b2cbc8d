// Guards' JSON encoding, the log formatters and the URL audits walk a call's arguments
// recursively; nested thousands of levels deep, arguments would overflow the stack in whichever
// walker meets them first. Agent input is measured here, without recursion, and refused above
// this depth before any of them runs.

/** Arrays and objects inside one another that a message from a client may hold; far beyond any real tool's arguments. */
export const MAX_JSON_NESTING = 1000;

/** Whether `value` nests arrays and objects more than `limit` levels deep (a top-level object is level 1); stops at the first too deep. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<{ value: object; depth: number }> = value !== null && typeof value === "object" ? [{ value, depth: 1 }] : [];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.depth > limit) return true;
    for (const child of Array.isArray(next.value) ? next.value : Object.values(next.value)) {
      if (child !== null && typeof child === "object") pending.push({ value: child as object, depth: next.depth + 1 });
    }
  }
  return false;
}
