// Finds the elements of one array inside a JSON text without building them: where each element
// sits, and whether its text is exactly what JSON.stringify would write for it. A large filtered
// collection can then be answered from slices of the backend's own text instead of parsing every
// item and encoding the kept ones again. Anything this scanner is not sure about makes it answer
// null, and the caller parses the text as before.
import { parseIndex } from "./json-pointer.ts";

/** One array element: text.slice(start, end) is its JSON; `canonical` when JSON.stringify(JSON.parse(it)) gives it back. */
export interface ElementSpan {
  readonly start: number;
  readonly end: number;
  readonly canonical: boolean;
}

/** Stops the scan: the text is not JSON, or the path is not followed the simple way. */
const GIVE_UP = Symbol("not a simple scan");

const WHITESPACE = /[ \t\n\r]*/y;
/** A string with nothing escaped and no surrogates: the usual case, and canonical. */
// eslint-disable-next-line no-control-regex -- raw control characters are what JSON strings may not hold
const PLAIN_STRING = /"[^"\\\u0000-\u001f\ud800-\udfff]*"/y;
/** Escapes and surrogate pairs exactly as JSON.stringify writes them (lone surrogates are left to the slow path). */
// eslint-disable-next-line no-control-regex -- raw control characters are what JSON strings may not hold
const CANONICAL_STRING = /"(?:[^"\\\u0000-\u001f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff]|\\["\\bfnrt]|\\u00(?:0[0-7bef]|1[0-9a-f]))*"/y;
/** Any string JSON.parse accepts. */
// eslint-disable-next-line no-control-regex -- raw control characters are what JSON strings may not hold
const ANY_STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/**
 * A whole object of the usual flat kind, in one match: no whitespace, keys that are plain strings
 * not starting with a digit, values that are plain strings, integers JSON.stringify writes the
 * same (at most 15 digits, no -0), or literals. Such an object is canonical unless a key repeats.
 */
const FLAT_OBJECT = (() => {
  const plain = String.raw`"[^"\\\u0000-\u001f\ud800-\udfff]*"`;
  const key = String.raw`"(?![0-9])${plain.slice(1)}`;
  const value = String.raw`(?:${plain}|0|-?[1-9][0-9]{0,14}|true|false|null)`;
  return new RegExp(String.raw`\{(?:${key}:${value}(?:,${key}:${value})*)?\}`, "y");
})();

/** Keys JavaScript objects list first in numeric order: JSON.stringify would not keep their place. */
const INDEX_LIKE = /^\d+$/;

/**
 * The spans of the elements of the array at `segments` (object keys, or array indexes as decimal
 * strings) in the JSON `text`; null when the text is not JSON, the path does not lead to an array,
 * or an object on the path repeats the key (JSON.parse keeps the last one; that is left to it).
 */
export function arrayElementSpans(text: string, segments: readonly string[]): ElementSpan[] | null {
  const scan = new Scanner(text, segments);
  try {
    scan.skipWhitespace();
    scan.value(0);
    scan.skipWhitespace();
    if (scan.pos !== text.length) return null;
  } catch (error) {
    // Deeply nested text can overflow the stack here; JSON.parse may still read it.
    if (error === GIVE_UP || error instanceof RangeError) return null;
    throw error;
  }
  return scan.found;
}

/** Where the keys of the FLAT_OBJECT being checked start and end: reused, so no allocation per object. */
const sharedKeyBounds = new Int32Array(64);

/**
 * Whether the FLAT_OBJECT at text[start, end) names a key twice. Its strings hold no quote, so
 * each ends at the next one; its other values hold no quote or comma. Keys are compared in place:
 * an object has few, mostly of different lengths.
 */
function repeatsAKey(text: string, start: number, end: number): boolean {
  let bounds = sharedKeyBounds;
  let filled = 0;
  let at = start + 1;
  while (at < end - 1) {
    const keyStart = at + 1;
    const keyEnd = text.indexOf('"', keyStart);
    for (let k = 0; k < filled; k += 2) {
      if (sameText(text, bounds[k] as number, bounds[k + 1] as number, keyStart, keyEnd)) return true;
    }
    if (filled === bounds.length) {
      // An object of many keys grows a copy of its own; the shared one stays small.
      const grown = new Int32Array(filled * 2);
      grown.set(bounds);
      bounds = grown;
    }
    bounds[filled++] = keyStart;
    bounds[filled++] = keyEnd;
    at = keyEnd + 2;
    if (text.charCodeAt(at) === 0x22) {
      at = text.indexOf('"', at + 1) + 1;
    } else {
      while (at < end - 1 && text.charCodeAt(at) !== 0x2c) at++;
    }
    at++;
  }
  return false;
}

/** Whether text[aStart, aEnd) and text[bStart, bEnd) are the same characters. */
function sameText(text: string, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (text.charCodeAt(aStart + i) !== text.charCodeAt(bStart + i)) return false;
  return true;
}

function isWhitespace(char: number): boolean {
  return char === 0x20 || char === 0x0a || char === 0x0d || char === 0x09;
}

function isIndexLike(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 0x30 && first <= 0x39 && INDEX_LIKE.test(key);
}

class Scanner {
  readonly text: string;
  readonly segments: readonly string[];
  pos = 0;
  found: ElementSpan[] | null = null;
  /** Whether objects off the path are still tried as FLAT_OBJECT first (until one is not). */
  flatObjects = true;

  constructor(text: string, segments: readonly string[]) {
    this.text = text;
    this.segments = segments;
  }

  skipWhitespace(): boolean {
    // Most places have none: looking at one character is far cheaper than running the pattern.
    if (!isWhitespace(this.text.charCodeAt(this.pos))) return false;
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.test(this.text);
    const skipped = WHITESPACE.lastIndex !== this.pos;
    this.pos = WHITESPACE.lastIndex;
    return skipped;
  }

  /**
   * Scans one value at `pos`. `depth` is how many path segments lead here, or -1 off the path:
   * at the path's end the value must be the array whose elements are recorded.
   * Returns whether the value's text is canonical.
   */
  value(depth: number): boolean {
    const char = this.text.charCodeAt(this.pos);
    const onPath = depth >= 0;
    const isTarget = depth === this.segments.length;
    if (char === 0x5b) return this.array(isTarget, onPath ? depth : -1);
    if (isTarget) throw GIVE_UP;
    if (char === 0x7b) {
      if (!onPath && this.flatObjects) {
        const canonical = this.flatObject();
        if (canonical !== undefined) return canonical;
        // Objects of other shapes follow one another too: the one match attempt per object stops.
        this.flatObjects = false;
      }
      return this.object(onPath ? depth : -1);
    }
    if (char === 0x22) return this.stringIsCanonical();
    if (char === 0x74) return this.literal("true");
    if (char === 0x66) return this.literal("false");
    if (char === 0x6e) return this.literal("null");
    return this.number();
  }

  array(isTarget: boolean, depth: number): boolean {
    if (isTarget) {
      if (this.found !== null) throw GIVE_UP;
      this.found = [];
    }
    const found = isTarget ? this.found : null;
    const wanted = depth >= 0 ? this.segments[depth] : undefined;
    const wantedIndex = wanted === undefined ? undefined : parseIndex(wanted);
    this.pos++;
    let canonical = !this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return canonical;
    }
    for (let index = 0; ; index++) {
      const start = this.pos;
      const element = this.value(index === wantedIndex ? depth + 1 : -1);
      found?.push({ start, end: this.pos, canonical: element });
      canonical = !this.skipWhitespace() && canonical && element;
      const next = this.text.charCodeAt(this.pos++);
      if (next === 0x5d) return canonical;
      if (next !== 0x2c) throw GIVE_UP;
      if (this.skipWhitespace()) canonical = false;
    }
  }

  object(depth: number): boolean {
    const wanted = depth >= 0 ? this.segments[depth] : undefined;
    this.pos++;
    let canonical = !this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return canonical;
    }
    const keys: string[] = [];
    let sawWanted = false;
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== 0x22) throw GIVE_UP;
      const key = this.string();
      if (keys.includes(key.value)) {
        // JSON.parse keeps the last value in the first one's place: not a slice of the text.
        if (key.value === wanted) throw GIVE_UP;
        canonical = false;
      }
      keys.push(key.value);
      if (this.skipWhitespace()) canonical = false;
      if (this.text.charCodeAt(this.pos++) !== 0x3a) throw GIVE_UP;
      if (this.skipWhitespace()) canonical = false;
      const onPath = key.value === wanted;
      sawWanted ||= onPath;
      const member = this.value(onPath ? depth + 1 : -1);
      canonical = canonical && key.canonical && member && !isIndexLike(key.value);
      if (this.skipWhitespace()) canonical = false;
      const next = this.text.charCodeAt(this.pos++);
      if (next === 0x7d) break;
      if (next !== 0x2c) throw GIVE_UP;
      if (this.skipWhitespace()) canonical = false;
    }
    if (wanted !== undefined && !sawWanted) throw GIVE_UP;
    return canonical;
  }

  /** Scans a FLAT_OBJECT at `pos`: whether it is canonical; undefined (and nothing read) when it is not one. */
  flatObject(): boolean | undefined {
    const start = this.pos;
    if (!this.match(FLAT_OBJECT)) return undefined;
    return !repeatsAKey(this.text, start, this.pos);
  }

  /** Scans a string value off the path, whose text is not needed: whether it is canonical. */
  stringIsCanonical(): boolean {
    if (this.match(PLAIN_STRING)) return true;
    if (this.match(CANONICAL_STRING)) return true;
    if (!this.match(ANY_STRING)) throw GIVE_UP;
    return false;
  }

  string(): { value: string; canonical: boolean } {
    const start = this.pos;
    if (this.match(PLAIN_STRING)) return { value: this.text.slice(start + 1, this.pos - 1), canonical: true };
    const canonical = this.match(CANONICAL_STRING);
    if (!canonical && !this.match(ANY_STRING)) throw GIVE_UP;
    return { value: JSON.parse(this.text.slice(start, this.pos)) as string, canonical };
  }

  number(): boolean {
    const start = this.pos;
    if (!this.match(NUMBER)) throw GIVE_UP;
    const token = this.text.slice(start, this.pos);
    return String(Number(token)) === token;
  }

  literal(word: string): true {
    if (!this.text.startsWith(word, this.pos)) throw GIVE_UP;
    this.pos += word.length;
    return true;
  }

  match(pattern: RegExp): boolean {
    pattern.lastIndex = this.pos;
    if (!pattern.test(this.text)) return false;
    this.pos = pattern.lastIndex;
    return true;
  }
}
