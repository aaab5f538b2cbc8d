// JSON encoded the way the reference (Go encoding/json over maps) encodes guard inputs: object
// keys sorted, and <, >, &, U+2028, U+2029 escaped. Guards do not depend on it, but fixtures
// with exact input lengths and byte-for-byte logs do.

function sortedCopy(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = value[key];
  return out;
}

const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

export function goJson(value: unknown): string {
  const text = JSON.stringify(value === undefined ? null : value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? sortedCopy(v as Record<string, unknown>) : v,
  );
  return goEscaped(text);
}

/** JSON text with Go's HTML escapes; they can only occur inside string literals, so a plain replace is safe. */
function goEscaped(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
}

/**
 * Strings at least this long (a tool result's text block) are escaped straight into the output
 * bytes: escaping one through JSON.stringify builds a JS string as large as the input, then
 * UTF-8 encoding copies it again, which is most of the cost of a multi-megabyte guard call.
 */
const LONG_STRING = 1 << 16;

/** A long string to be written escaped into the output: where its escapes are, and how many bytes it takes. */
interface LongString {
  readonly text: string;
  readonly escapes: Int32Array;
  readonly bytes: number;
}

/** Met a value the walk does not reproduce exactly (a cycle): encode it all the plain way. */
const WHOLE_VALUE = Symbol("encode the whole value with goJson");

/**
 * goJson's output as UTF-8, byte for byte. Plain JSON data is walked here so that long ASCII
 * strings skip the intermediate JS string; everything else (leaves, objects with toJSON) is
 * encoded by goJson itself.
 */
export function goJsonBytes(value: unknown): Uint8Array {
  const chunks: Array<string | LongString> = [];
  const pending: string[] = [];
  const flush = () => {
    if (pending.length > 0) chunks.push(pending.join(""));
    pending.length = 0;
  };
  const ancestors = new Set<object>();

  const walk = (node: unknown): void => {
    if (typeof node === "string" && node.length >= LONG_STRING && isPlainAscii(node)) {
      flush();
      chunks.push(longString(node));
      return;
    }
    if (typeof node === "string" || typeof node === "number" || typeof node === "boolean") {
      pending.push(goEscaped(JSON.stringify(node)));
      return;
    }
    if (node === null || typeof node !== "object" || typeof (node as { toJSON?: unknown }).toJSON === "function" || !isPlainContainer(node)) {
      pending.push(goJson(node));
      return;
    }
    if (ancestors.has(node)) throw WHOLE_VALUE;
    ancestors.add(node);
    if (Array.isArray(node)) {
      pending.push("[");
      node.forEach((element: unknown, index) => {
        if (index > 0) pending.push(",");
        if (isSkipped(element)) pending.push("null");
        else walk(element);
      });
      pending.push("]");
    } else {
      const sorted = sortedCopy(node as Record<string, unknown>);
      pending.push("{");
      let first = true;
      // Object.keys of the copy, not the sorted list: goJson's copy lists integer-like keys first.
      for (const key of Object.keys(sorted)) {
        const member = sorted[key];
        if (isSkipped(member)) continue;
        pending.push(first ? "" : ",", goEscaped(JSON.stringify(key)), ":");
        first = false;
        walk(member);
      }
      pending.push("}");
    }
    ancestors.delete(node);
  };

  try {
    walk(value === undefined ? null : value);
  } catch (error) {
    if (error === WHOLE_VALUE) return encodeText(goJson(value));
    throw error;
  }
  flush();
  if (chunks.length === 1 && typeof chunks[0] === "string") return encodeText(chunks[0]);

  let total = 0;
  for (const chunk of chunks) total += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.bytes;
  // Its own ArrayBuffer, exactly as long: callers transfer `.buffer` to the guard's worker.
  const out = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const chunk of chunks) {
    if (typeof chunk === "string") at += out.write(chunk, at, "utf8");
    else at = writeEscapedAscii(chunk, out, at);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

const encoder = new TextEncoder();

function encodeText(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Values JSON.stringify leaves out of objects and writes as null in arrays. */
function isSkipped(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/** Arrays and objects JSON.stringify walks member by member (not boxed primitives, which it unwraps). */
function isPlainContainer(value: object): boolean {
  return !(value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt);
}

/**
 * ASCII without control characters: JSON.stringify would only escape `"` and `\` in it. One
 * pattern for both: it reads the text once, where a UTF-8 length and a control pattern read it twice.
 */
function isPlainAscii(text: string): boolean {
  return !/[^\u0020-\u007f]/.test(text);
}

/**
 * Where `char` occurs in `text`, in order, in one pass: a typed array that doubles when full is far
 * cheaper than pushing, and than a second pass to count first.
 */
function positions(text: string, char: string): Int32Array {
  let found = new Int32Array(0);
  let count = 0;
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) {
    if (count === found.length) {
      const grown = new Int32Array(Math.max(256, count * 2));
      grown.set(found);
      found = grown;
    }
    found[count++] = at;
  }
  return found.subarray(0, count);
}

function mergeSorted(a: Int32Array, b: Int32Array): Int32Array {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = (a[i] as number) < (b[j] as number) ? (a[i++] as number) : (b[j++] as number);
  out.set(a.subarray(i), k);
  out.set(b.subarray(j), k + a.length - i);
  return out;
}

/**
 * A long ASCII string to be written escaped: where its escapes go, and the quoted result's length
 * (`"` and `\` take one byte more, <, > and & five more as \u00XX).
 */
function longString(text: string): LongString {
  const short = mergeSorted(positions(text, '"'), positions(text, "\\"));
  const html = ["<", ">", "&"].map((char) => positions(text, char));
  const long = html.reduce((sum, found) => sum + found.length, 0);
  const escapes = html.reduce(mergeSorted, short);
  return { text, escapes, bytes: text.length + 2 + short.length + 5 * long };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX_OF: Record<number, number> = { 0x3c: 0x63, 0x3e: 0x65, 0x26: 0x36 };

/**
 * Writes `"…"` at `at`: the raw bytes go to the end of the string's slot, then each run up to the
 * next escape is moved forward and the escape written; after the last escape the rest is already
 * where it belongs.
 */
function writeEscapedAscii(chunk: LongString, out: Buffer, at: number): number {
  const end = at + chunk.bytes;
  out[at] = QUOTE;
  out[end - 1] = QUOTE;
  const base = end - 1 - chunk.text.length;
  out.write(chunk.text, base, "latin1");
  let write = at + 1;
  let read = base;
  const { escapes } = chunk;
  // Indexed, not for-of: iterating a typed array allocated a result object per escape.
  for (let next = 0; next < escapes.length; next++) {
    const from = base + (escapes[next] as number);
    out.copyWithin(write, read, from);
    write += from - read;
    read = from + 1;
    const byte = out[from] as number;
    out[write++] = BACKSLASH;
    if (byte === QUOTE || byte === BACKSLASH) {
      out[write++] = byte;
    } else {
      out[write++] = 0x75; // u
      out[write++] = 0x30;
      out[write++] = 0x30;
      out[write++] = byte === 0x26 ? 0x32 : 0x33;
      out[write++] = HEX_OF[byte] as number;
    }
  }
  return end;
}
