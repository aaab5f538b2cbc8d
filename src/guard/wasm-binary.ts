// A reader for the parts of a WebAssembly binary the host must see before compiling: function
// types, imports, exports and memories. JS reflection (WebAssembly.Module.imports/exports)
// names them but hides signatures and limits, and the ABI is defined by signatures.

export type ValueType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";

export interface FuncType {
  params: ValueType[];
  results: ValueType[];
}

export interface MemoryLimits {
  min: number;
  max?: number;
  shared: boolean;
  memory64: boolean;
}

export type ExternKind = "function" | "table" | "memory" | "global" | "tag";

export interface ImportEntry {
  module: string;
  name: string;
  kind: ExternKind;
  type?: FuncType;
  memory?: MemoryLimits;
}

export interface ExportEntry {
  name: string;
  kind: ExternKind;
  type?: FuncType;
}

export interface ModuleLayout {
  imports: ImportEntry[];
  exports: ExportEntry[];
  /** Memories defined by the module itself (imported ones are in `imports`). */
  memories: MemoryLimits[];
  /** Where the memory section starts (its id byte) and ends, for rewriting limits. */
  memorySection?: { start: number; end: number };
}

const VALUE_TYPES: Record<number, ValueType> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};

const KINDS: ExternKind[] = ["function", "table", "memory", "global", "tag"];

const SECTION_TYPE = 1;
const SECTION_IMPORT = 2;
const SECTION_FUNCTION = 3;
const SECTION_MEMORY = 5;
const SECTION_EXPORT = 7;

export class WasmFormatError extends Error {}

class Reader {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;
  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }
  byte(): number {
    if (this.pos >= this.end) throw new WasmFormatError(`unexpected end of module at byte ${this.pos}`);
    return this.bytes[this.pos++] as number;
  }
  /** Unsigned LEB128; 64-bit values (memory64 limits) come back as doubles, exact up to 2^53. */
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new WasmFormatError(`malformed LEB128 integer at byte ${this.pos}`);
  }
  name(): string {
    const length = this.uleb();
    if (this.pos + length > this.end) throw new WasmFormatError(`name runs past the end of its section at byte ${this.pos}`);
    const text = new TextDecoder("utf-8", { fatal: true }).decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }
  valueType(): ValueType {
    const code = this.byte();
    const type = VALUE_TYPES[code];
    if (!type) throw new WasmFormatError(`unsupported value type 0x${code.toString(16)} at byte ${this.pos - 1}`);
    return type;
  }
  limits(): MemoryLimits {
    const flags = this.byte();
    if (flags > 7) throw new WasmFormatError(`unsupported memory limits flags 0x${flags.toString(16)}`);
    const min = this.uleb();
    const max = flags & 1 ? this.uleb() : undefined;
    return { min, ...(max === undefined ? {} : { max }), shared: (flags & 2) !== 0, memory64: (flags & 4) !== 0 };
  }
}

function readFuncType(r: Reader): FuncType {
  const form = r.byte();
  if (form !== 0x60) throw new WasmFormatError(`unsupported type form 0x${form.toString(16)} (only plain function types are supported)`);
  const params = Array.from({ length: r.uleb() }, () => r.valueType());
  const results = Array.from({ length: r.uleb() }, () => r.valueType());
  return { params, results };
}

/** Reads the layout of a module; throws WasmFormatError on a binary it cannot read. */
export function readModuleLayout(bytes: Uint8Array): ModuleLayout {
  if (bytes.length < 8) throw new WasmFormatError(`not a WebAssembly module: ${bytes.length} bytes is shorter than the 8-byte header`);
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (!header.every((b, i) => bytes[i] === b)) {
    throw new WasmFormatError("not a WebAssembly module: the header is not \\0asm version 1");
  }
  const types: FuncType[] = [];
  const funcTypes: (FuncType | undefined)[] = [];
  const layout: ModuleLayout = { imports: [], exports: [], memories: [] };
  const top = new Reader(bytes, 8);
  while (top.pos < top.end) {
    const sectionStart = top.pos;
    const id = top.byte();
    const size = top.uleb();
    const start = top.pos;
    const end = start + size;
    if (end > bytes.length) throw new WasmFormatError(`section ${id} runs past the end of the module`);
    const r = new Reader(bytes, start, end);
    if (id === SECTION_TYPE) {
      for (let n = r.uleb(); n > 0; n--) types.push(readFuncType(r));
    } else if (id === SECTION_IMPORT) {
      for (let n = r.uleb(); n > 0; n--) {
        const module = r.name();
        const name = r.name();
        const kind = KINDS[r.byte()];
        if (!kind) throw new WasmFormatError(`unknown import kind for ${module}.${name}`);
        const entry: ImportEntry = { module, name, kind };
        if (kind === "function") {
          entry.type = types[r.uleb()];
          funcTypes.push(entry.type);
        } else if (kind === "table") {
          r.valueType();
          r.limits();
        } else if (kind === "memory") {
          entry.memory = r.limits();
        } else if (kind === "global") {
          r.valueType();
          r.byte();
        } else {
          r.byte();
          r.uleb();
        }
        layout.imports.push(entry);
      }
    } else if (id === SECTION_FUNCTION) {
      for (let n = r.uleb(); n > 0; n--) funcTypes.push(types[r.uleb()]);
    } else if (id === SECTION_MEMORY) {
      layout.memorySection = { start: sectionStart, end };
      for (let n = r.uleb(); n > 0; n--) layout.memories.push(r.limits());
    } else if (id === SECTION_EXPORT) {
      for (let n = r.uleb(); n > 0; n--) {
        const name = r.name();
        const kind = KINDS[r.byte()];
        const index = r.uleb();
        if (!kind) throw new WasmFormatError(`unknown export kind for ${name}`);
        layout.exports.push({ name, kind, ...(kind === "function" ? { type: funcTypes[index] } : {}) });
      }
    }
    top.pos = end;
  }
  return layout;
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}

/** The memory section with every own memory's maximum set to min(declared maximum, capPages). */
function cappedMemorySection(layout: ModuleLayout, capPages: number): number[] {
  const payload: number[] = [...uleb(layout.memories.length)];
  for (const memory of layout.memories) {
    const max = Math.min(memory.max ?? capPages, capPages);
    payload.push(memory.shared ? 3 : 1, ...uleb(memory.min), ...uleb(max));
  }
  return [SECTION_MEMORY, ...uleb(payload.length), ...payload];
}

/**
 * Returns the module with every own memory's maximum set to min(declared maximum, capPages).
 * V8 has no knob for a module-defined memory, so the limit has to be written into the binary.
 */
export function capMemories(bytes: Uint8Array<ArrayBuffer>, layout: ModuleLayout, capPages: number): Uint8Array<ArrayBuffer> {
  const section = layout.memorySection;
  if (!section) return bytes;
  const replacement = cappedMemorySection(layout, capPages);
  const out = new Uint8Array(section.start + replacement.length + (bytes.length - section.end));
  out.set(bytes.subarray(0, section.start), 0);
  out.set(replacement, section.start);
  out.set(bytes.subarray(section.end), section.start + replacement.length);
  return out;
}

/**
 * capMemories without copying the module: the bytes before the memory section (a few KB: the
 * header and the type, import and function sections) move into the free space in front of
 * `bytes` in their buffer, which the caller must own. A fresh copy of a multi-megabyte module
 * costs more in page faults than the compile itself on a busy VM. Undefined when there is not
 * enough room in front.
 */
export function capMemoriesInPlace(bytes: Uint8Array<ArrayBuffer>, layout: ModuleLayout, capPages: number): Uint8Array<ArrayBuffer> | undefined {
  const section = layout.memorySection;
  if (!section) return bytes;
  const replacement = cappedMemorySection(layout, capPages);
  const growth = replacement.length - (section.end - section.start);
  const from = bytes.byteOffset;
  if (growth > from) return undefined;
  const whole = new Uint8Array(bytes.buffer);
  whole.copyWithin(from - growth, from, from + section.start);
  whole.set(replacement, from - growth + section.start);
  return new Uint8Array(bytes.buffer, from - growth, bytes.length + growth);
}

export function formatFuncType(type: FuncType | undefined): string {
  if (!type) return "(unknown type)";
  return `(${type.params.join(",")})->${type.results.length === 1 ? type.results[0] : `(${type.results.join(",")})`}`;
}
