// A small JSON reader that works on UTF-8 bytes where they lie. A tool result can be megabytes
// of file content the guard never needs to look at, so strings are decoded only when asked for,
// and each value remembers where its bytes are, so json-writer.ts can copy a value the guard
// hands back unchanged (a tool result as item data) straight into the output buffer. That keeps
// a call's memory close to the size of its input and output, well inside the 32 MiB a guard gets.

export const KIND_NULL: i32 = 0;
export const KIND_BOOL: i32 = 1;
export const KIND_NUMBER: i32 = 2;
export const KIND_STRING: i32 = 3;
export const KIND_ARRAY: i32 = 4;
export const KIND_OBJECT: i32 = 5;

export class JsonValue {
  kind: i32 = KIND_NULL;
  bool: bool = false;
  number: f64 = 0;
  items: JsonValue[] = [];
  keys: string[] = [];
  /** Address and length of this value's JSON text. */
  start: usize = 0;
  length: i32 = 0;
  /** Keeps the bytes alive when they live in a garbage-collected buffer (null: host memory). */
  owner: ArrayBuffer | null = null;
  hasEscapes: bool = false;
  decoded: string | null = null;

  isString(): bool {
    return this.kind == KIND_STRING;
  }

  isArray(): bool {
    return this.kind == KIND_ARRAY;
  }

  isObject(): bool {
    return this.kind == KIND_OBJECT;
  }

  /** The text of a string value (decoded on first use), or "" for other kinds. */
  get str(): string {
    if (this.kind != KIND_STRING) return "";
    let text = this.decoded;
    if (text == null) {
      text = decodeString(this.start + 1, this.length - 2, this.hasEscapes);
      this.decoded = text;
    }
    return text;
  }

  /** The member named key of an object, or null (also for non-objects). Later duplicates win. */
  get(key: string): JsonValue | null {
    if (this.kind != KIND_OBJECT) return null;
    for (let i = this.keys.length - 1; i >= 0; i--) {
      if (this.keys[i] == key) return this.items[i];
    }
    return null;
  }
}

/** Parses length bytes of JSON at ptr; null if they are not one valid JSON value. */
export function parseJsonBytes(ptr: usize, length: i32, owner: ArrayBuffer | null): JsonValue | null {
  const parser = new Parser(ptr, length, owner);
  const value = parser.value();
  if (value == null) return null;
  parser.skipSpace();
  return parser.pos == length ? value : null;
}

/** Parses a JSON text held in a string. */
export function parseJson(text: string): JsonValue | null {
  const bytes = String.UTF8.encode(text);
  return parseJsonBytes(changetype<usize>(bytes), bytes.byteLength, bytes);
}

function decodeString(ptr: usize, length: i32, hasEscapes: bool): string {
  if (!hasEscapes) return String.UTF8.decodeUnsafe(ptr, <usize>length);
  const parts: string[] = [];
  let runStart = 0;
  let i = 0;
  while (i < length) {
    if (load<u8>(ptr + <usize>i) != 0x5c) {
      i++;
      continue;
    }
    parts.push(String.UTF8.decodeUnsafe(ptr + <usize>runStart, <usize>(i - runStart)));
    const escaped = load<u8>(ptr + <usize>i + 1);
    i += 2;
    if (escaped == 0x62) parts.push("\b");
    else if (escaped == 0x66) parts.push("\f");
    else if (escaped == 0x6e) parts.push("\n");
    else if (escaped == 0x72) parts.push("\r");
    else if (escaped == 0x74) parts.push("\t");
    else if (escaped == 0x75) {
      parts.push(String.fromCharCode(hex4(ptr + <usize>i)));
      i += 4;
    } else parts.push(String.fromCharCode(escaped)); // " \ /
    runStart = i;
  }
  parts.push(String.UTF8.decodeUnsafe(ptr + <usize>runStart, <usize>(length - runStart)));
  return parts.join("");
}

/** The value of four hex digits at ptr, or −1. */
function hex4(ptr: usize): i32 {
  let code = 0;
  for (let i: usize = 0; i < 4; i++) {
    const c = <i32>load<u8>(ptr + i);
    let digit = -1;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) digit = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x46) digit = c - 0x41 + 10;
    if (digit < 0) return -1;
    code = code * 16 + digit;
  }
  return code;
}

class Parser {
  base: usize;
  length: i32;
  owner: ArrayBuffer | null;
  pos: i32 = 0;
  depth: i32 = 0;

  constructor(base: usize, length: i32, owner: ArrayBuffer | null) {
    this.base = base;
    this.length = length;
    this.owner = owner;
  }

  peek(): i32 {
    return this.pos < this.length ? <i32>load<u8>(this.base + <usize>this.pos) : -1;
  }

  skipSpace(): void {
    while (this.pos < this.length) {
      const c = load<u8>(this.base + <usize>this.pos);
      if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) return;
      this.pos++;
    }
  }

  value(): JsonValue | null {
    this.skipSpace();
    // Deeply nested input would exhaust the guard's stack; no real tool result nests this far.
    if (this.pos >= this.length || this.depth > 512) return null;
    const start = this.pos;
    const c = this.peek();
    const result = new JsonValue();
    let ok = false;
    if (c == 0x7b) ok = this.object(result);
    else if (c == 0x5b) ok = this.array(result);
    else if (c == 0x22) ok = this.string(result);
    else if (this.literal("true")) {
      result.kind = KIND_BOOL;
      result.bool = true;
      ok = true;
    } else if (this.literal("false")) {
      result.kind = KIND_BOOL;
      ok = true;
    } else if (this.literal("null")) ok = true;
    else ok = this.numberValue(result);
    if (!ok) return null;
    result.start = this.base + <usize>start;
    result.length = this.pos - start;
    result.owner = this.owner;
    return result;
  }

  literal(word: string): bool {
    if (this.pos + word.length > this.length) return false;
    for (let i = 0; i < word.length; i++) {
      if (<i32>load<u8>(this.base + <usize>(this.pos + i)) != word.charCodeAt(i)) return false;
    }
    this.pos += word.length;
    return true;
  }

  numberValue(result: JsonValue): bool {
    const start = this.pos;
    if (this.peek() == 0x2d) this.pos++;
    if (!this.digits()) return false;
    if (this.peek() == 0x2e) {
      this.pos++;
      if (!this.digits()) return false;
    }
    const e = this.peek();
    if (e == 0x65 || e == 0x45) {
      this.pos++;
      const sign = this.peek();
      if (sign == 0x2b || sign == 0x2d) this.pos++;
      if (!this.digits()) return false;
    }
    result.kind = KIND_NUMBER;
    result.number = parseFloat(String.UTF8.decodeUnsafe(this.base + <usize>start, <usize>(this.pos - start)));
    return true;
  }

  digits(): bool {
    const start = this.pos;
    while (this.pos < this.length) {
      const c = load<u8>(this.base + <usize>this.pos);
      if (c < 0x30 || c > 0x39) break;
      this.pos++;
    }
    return this.pos > start;
  }

  /** Checks a string and records where it is; its text is decoded only when asked for. */
  string(result: JsonValue): bool {
    this.pos++; // opening quote
    while (this.pos < this.length) {
      const c = load<u8>(this.base + <usize>this.pos);
      if (c == 0x22) {
        this.pos++;
        result.kind = KIND_STRING;
        return true;
      }
      if (c < 0x20) return false;
      if (c != 0x5c) {
        this.pos++;
        continue;
      }
      result.hasEscapes = true;
      const escaped = this.pos + 1 < this.length ? <i32>load<u8>(this.base + <usize>(this.pos + 1)) : -1;
      if (escaped == 0x75) {
        if (this.pos + 6 > this.length || hex4(this.base + <usize>(this.pos + 2)) < 0) return false;
        this.pos += 6;
      } else if (
        escaped == 0x22 || escaped == 0x5c || escaped == 0x2f || escaped == 0x62 ||
        escaped == 0x66 || escaped == 0x6e || escaped == 0x72 || escaped == 0x74
      ) {
        this.pos += 2;
      } else return false;
    }
    return false;
  }

  array(result: JsonValue): bool {
    this.pos++;
    this.depth++;
    result.kind = KIND_ARRAY;
    this.skipSpace();
    if (this.peek() == 0x5d) {
      this.pos++;
      this.depth--;
      return true;
    }
    while (true) {
      const item = this.value();
      if (item == null) return false;
      result.items.push(item);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x5d) break;
      if (c != 0x2c) return false;
    }
    this.depth--;
    return true;
  }

  object(result: JsonValue): bool {
    this.pos++;
    this.depth++;
    result.kind = KIND_OBJECT;
    this.skipSpace();
    if (this.peek() == 0x7d) {
      this.pos++;
      this.depth--;
      return true;
    }
    while (true) {
      this.skipSpace();
      if (this.peek() != 0x22) return false;
      const key = this.value();
      if (key == null) return false;
      this.skipSpace();
      if (this.peek() != 0x3a) return false;
      this.pos++;
      const item = this.value();
      if (item == null) return false;
      result.keys.push(key.str);
      result.items.push(item);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x7d) break;
      if (c != 0x2c) return false;
    }
    this.depth--;
    return true;
  }
}
