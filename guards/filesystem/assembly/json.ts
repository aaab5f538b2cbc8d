// A small JSON reader and writer. The guard only needs a generic tree of what the host sends and
// a way to write its own answers; every value remembers where it came from in the source, so a
// value the guard passes back unchanged (a tool result) is copied verbatim instead of re-encoded.

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
  str: string = "";
  items: JsonValue[] = [];
  keys: string[] = [];
  source: string = "";
  start: i32 = 0;
  end: i32 = 0;

  isString(): bool {
    return this.kind == KIND_STRING;
  }

  isArray(): bool {
    return this.kind == KIND_ARRAY;
  }

  isObject(): bool {
    return this.kind == KIND_OBJECT;
  }

  /** The member named key of an object, or null (also for non-objects). Later duplicates win. */
  get(key: string): JsonValue | null {
    if (this.kind != KIND_OBJECT) return null;
    for (let i = this.keys.length - 1; i >= 0; i--) {
      if (this.keys[i] == key) return this.items[i];
    }
    return null;
  }

  /** The exact JSON text this value was parsed from. */
  raw(): string {
    return this.source.substring(this.start, this.end);
  }
}

/** Parses a complete JSON text; null if it is not valid JSON. */
export function parseJson(text: string): JsonValue | null {
  const parser = new Parser(text);
  const value = parser.value();
  if (value == null) return null;
  parser.skipSpace();
  return parser.pos == text.length ? value : null;
}

class Parser {
  pos: i32 = 0;
  depth: i32 = 0;
  text: string;

  constructor(text: string) {
    this.text = text;
  }

  skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) return;
      this.pos++;
    }
  }

  value(): JsonValue | null {
    this.skipSpace();
    if (this.pos >= this.text.length) return null;
    // Deeply nested input would exhaust the guard's stack; no real tool result nests this far.
    if (this.depth > 512) return null;
    const start = this.pos;
    const c = this.text.charCodeAt(this.pos);
    let result: JsonValue | null = null;
    if (c == 0x7b) result = this.object();
    else if (c == 0x5b) result = this.array();
    else if (c == 0x22) {
      const s = this.string();
      if (s != null) {
        result = new JsonValue();
        result.kind = KIND_STRING;
        result.str = s;
      }
    } else if (this.literal("true")) {
      result = new JsonValue();
      result.kind = KIND_BOOL;
      result.bool = true;
    } else if (this.literal("false")) {
      result = new JsonValue();
      result.kind = KIND_BOOL;
    } else if (this.literal("null")) {
      result = new JsonValue();
    } else result = this.numberValue();
    if (result == null) return null;
    result.source = this.text;
    result.start = start;
    result.end = this.pos;
    return result;
  }

  literal(word: string): bool {
    if (this.text.substring(this.pos, this.pos + word.length) != word) return false;
    this.pos += word.length;
    return true;
  }

  numberValue(): JsonValue | null {
    const start = this.pos;
    if (this.peek() == 0x2d) this.pos++;
    if (!this.digits()) return null;
    if (this.peek() == 0x2e) {
      this.pos++;
      if (!this.digits()) return null;
    }
    const e = this.peek();
    if (e == 0x65 || e == 0x45) {
      this.pos++;
      const sign = this.peek();
      if (sign == 0x2b || sign == 0x2d) this.pos++;
      if (!this.digits()) return null;
    }
    const result = new JsonValue();
    result.kind = KIND_NUMBER;
    result.number = parseFloat(this.text.substring(start, this.pos));
    return result;
  }

  digits(): bool {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c < 0x30 || c > 0x39) break;
      this.pos++;
    }
    return this.pos > start;
  }

  peek(): i32 {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  string(): string | null {
    this.pos++; // opening quote
    const parts: string[] = [];
    let runStart = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c == 0x22) {
        parts.push(this.text.substring(runStart, this.pos));
        this.pos++;
        return parts.join("");
      }
      if (c < 0x20) return null;
      if (c != 0x5c) {
        this.pos++;
        continue;
      }
      parts.push(this.text.substring(runStart, this.pos));
      this.pos++;
      const escaped = this.peek();
      this.pos++;
      if (escaped == 0x22) parts.push('"');
      else if (escaped == 0x5c) parts.push("\\");
      else if (escaped == 0x2f) parts.push("/");
      else if (escaped == 0x62) parts.push("\b");
      else if (escaped == 0x66) parts.push("\f");
      else if (escaped == 0x6e) parts.push("\n");
      else if (escaped == 0x72) parts.push("\r");
      else if (escaped == 0x74) parts.push("\t");
      else if (escaped == 0x75) {
        const code = this.hex4();
        if (code < 0) return null;
        parts.push(String.fromCharCode(code));
      } else return null;
      runStart = this.pos;
    }
    return null;
  }

  hex4(): i32 {
    if (this.pos + 4 > this.text.length) return -1;
    let code = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.text.charCodeAt(this.pos + i);
      let digit = -1;
      if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) digit = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) digit = c - 0x41 + 10;
      if (digit < 0) return -1;
      code = code * 16 + digit;
    }
    this.pos += 4;
    return code;
  }

  array(): JsonValue | null {
    this.pos++;
    this.depth++;
    const result = new JsonValue();
    result.kind = KIND_ARRAY;
    this.skipSpace();
    if (this.peek() == 0x5d) {
      this.pos++;
      this.depth--;
      return result;
    }
    while (true) {
      const item = this.value();
      if (item == null) return null;
      result.items.push(item);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x5d) break;
      if (c != 0x2c) return null;
    }
    this.depth--;
    return result;
  }

  object(): JsonValue | null {
    this.pos++;
    this.depth++;
    const result = new JsonValue();
    result.kind = KIND_OBJECT;
    this.skipSpace();
    if (this.peek() == 0x7d) {
      this.pos++;
      this.depth--;
      return result;
    }
    while (true) {
      this.skipSpace();
      if (this.peek() != 0x22) return null;
      const key = this.string();
      if (key == null) return null;
      this.skipSpace();
      if (this.peek() != 0x3a) return null;
      this.pos++;
      const item = this.value();
      if (item == null) return null;
      result.keys.push(key);
      result.items.push(item);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x7d) break;
      if (c != 0x2c) return null;
    }
    this.depth--;
    return result;
  }
}

/** Appends JSON text piece by piece; join() at the end keeps long outputs linear in size. */
export class JsonWriter {
  parts: string[] = [];

  raw(text: string): JsonWriter {
    this.parts.push(text);
    return this;
  }

  string(value: string): JsonWriter {
    this.parts.push('"');
    let runStart = 0;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
      this.parts.push(value.substring(runStart, i));
      runStart = i + 1;
      if (c == 0x22) this.parts.push('\\"');
      else if (c == 0x5c) this.parts.push("\\\\");
      else if (c == 0x0a) this.parts.push("\\n");
      else if (c == 0x0d) this.parts.push("\\r");
      else if (c == 0x09) this.parts.push("\\t");
      else this.parts.push("\\u00" + (c < 0x10 ? "0" : "1") + HEX.charAt(c & 0xf));
    }
    this.parts.push(value.substring(runStart));
    this.parts.push('"');
    return this;
  }

  stringArray(values: string[]): JsonWriter {
    this.parts.push("[");
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.parts.push(",");
      this.string(values[i]);
    }
    this.parts.push("]");
    return this;
  }

  key(name: string): JsonWriter {
    this.string(name);
    this.parts.push(":");
    return this;
  }

  toString(): string {
    return this.parts.join("");
  }
}

const HEX = "0123456789abcdef";
