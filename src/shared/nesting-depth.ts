// Guards' JSON encoding, the log formatters and the URL audits walk a call's arguments
// recursively; nested thousands of levels deep, arguments would overflow the stack in whichever
// walker meets them first. Agent input is measured here, without recursion, and refused above
// this depth before any of them runs.

/** Arrays and objects inside one another that a message from a client may hold; far beyond any real tool's arguments. */
export const MAX_JSON_NESTING = 1000;

/** Whether `value` nests arrays and objects more than `limit` levels deep (a top-level object is level 1); stops at the first too deep. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== "object") return false;
  if (limit < 1) return true;
  // Two parallel stacks rather than one of pairs: this runs on every message a client sends.
  const pending: object[] = [value];
  const depths: number[] = [1];
  const visit = (child: unknown, depth: number): boolean => {
    if (child === null || typeof child !== "object") return false;
    if (depth > limit) return true;
    pending.push(child);
    depths.push(depth);
    return false;
  };
  while (pending.length > 0) {
    const current = pending.pop() as Record<string, unknown> | unknown[];
    const childDepth = (depths.pop() as number) + 1;
    if (Array.isArray(current)) {
      for (const child of current) if (visit(child, childDepth)) return true;
    } else {
      for (const key in current) if (visit(current[key], childDepth)) return true;
    }
  }
  return false;
}
