/** RFC 6901 navigation as the reference does it: one leading `/` removed, empty segments skipped. */
import { describeJson, isPlainObject } from "./json.ts";

export function pointerSegments(pointer: string): string[] {
  const body = pointer.startsWith("/") ? pointer.slice(1) : pointer;
  return body
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Resolves `pointer` in `root`; throws an Error naming the pointer and the failing step. */
export function resolvePointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(node)) {
      const index = parseIndex(segment);
      if (index === undefined) throw new Error(`expected array index at "${segment}" in path "${pointer}"`);
      if (index < 0 || index >= node.length) throw new Error(`array index ${index} out of bounds in path "${pointer}"`);
      node = node[index];
    } else if (isPlainObject(node)) {
      if (!Object.hasOwn(node, segment)) throw new Error(`path "${pointer}" not found in response`);
      node = node[segment];
    } else {
      throw new Error(`cannot navigate path "${pointer}": "${segment}" is inside ${describeJson(node)}`);
    }
  }
  return node;
}

/** A decimal integer as Go's strconv.Atoi reads it (optional sign), or undefined. */
export function parseIndex(segment: string): number | undefined {
  return /^[+-]?\d+$/.test(segment) ? Number(segment) : undefined;
}
