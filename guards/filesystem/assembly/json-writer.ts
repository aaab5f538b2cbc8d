// Writes the guard's JSON answers straight into the host's output buffer.

import { JsonValue } from "./json";

/** Bytes to copy verbatim into the output: a parsed value's JSON text. */
class ByteRange {
  start: usize;
  length: i32;
  owner: ArrayBuffer | null;

  constructor(value: JsonValue) {
    this.start = value.start;
    this.length = value.length;
    this.owner = value.owner;
  }
}

/**
 * Builds JSON text from pieces: strings it writes and parsed values it copies as they are.
 * writeTo() encodes the pieces straight into the host's output buffer.
 */
export class JsonWriter {
  pending: string[] = [];
  texts: string[] = [];
  ranges: ByteRange[] = [];

  raw(text: string): JsonWriter {
    this.pending.push(text);
    return this;
  }

  /** Appends a parsed value's own JSON text. */
  value(value: JsonValue): JsonWriter {
    this.texts.push(this.pending.join(""));
    this.pending = [];
    this.ranges.push(new ByteRange(value));
    return this;
  }

  string(value: string): JsonWriter {
    this.pending.push('"');
    let runStart = 0;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
      this.pending.push(value.substring(runStart, i));
      runStart = i + 1;
      if (c == 0x22) this.pending.push('\\"');
      else if (c == 0x5c) this.pending.push("\\\\");
      else if (c == 0x0a) this.pending.push("\\n");
      else if (c == 0x0d) this.pending.push("\\r");
      else if (c == 0x09) this.pending.push("\\t");
      else this.pending.push("\\u00" + (c < 0x10 ? "0" : "1") + HEX.charAt(c & 0xf));
    }
    this.pending.push(value.substring(runStart));
    this.pending.push('"');
    return this;
  }

  stringArray(values: string[]): JsonWriter {
    this.pending.push("[");
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.pending.push(",");
      this.string(values[i]);
    }
    this.pending.push("]");
    return this;
  }

  key(name: string): JsonWriter {
    this.string(name);
    this.pending.push(":");
    return this;
  }

  /** The text written so far; only for writers that copied no parsed values. */
  toString(): string {
    return this.pending.join("");
  }

  /**
   * Writes the JSON into the output buffer and returns its byte length; when it does not fit,
   * returns −2 with the needed size as u32 little-endian at the buffer start so the host retries.
   */
  writeTo(outputPtr: usize, outputSize: i32): i32 {
    const tail = this.pending.join("");
    let total = String.UTF8.byteLength(tail);
    for (let i = 0; i < this.ranges.length; i++) {
      total += String.UTF8.byteLength(this.texts[i]) + this.ranges[i].length;
    }
    if (total > outputSize) {
      if (outputSize >= 4) store<u32>(outputPtr, <u32>total);
      return -2;
    }
    let at = outputPtr;
    for (let i = 0; i < this.ranges.length; i++) {
      at += encodeInto(this.texts[i], at);
      memory.copy(at, this.ranges[i].start, <usize>this.ranges[i].length);
      at += <usize>this.ranges[i].length;
    }
    at += encodeInto(tail, at);
    return <i32>(at - outputPtr);
  }
}

function encodeInto(text: string, at: usize): usize {
  return String.UTF8.encodeUnsafe(changetype<usize>(text), text.length, at);
}

const HEX = "0123456789abcdef";
