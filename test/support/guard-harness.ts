// Just enough of the guard host to call a guard in a test: the allocator path of the calling
// convention (alloc, write input, call, read output, dealloc) with the −2 retry, call_backend
// answered from a map, host_log recorded. The real host lives in src/guard.
import { readFile } from "node:fs/promises";

export type GuardFunction = "label_agent" | "label_resource" | "label_response";

export interface HostLogEntry {
  level: number;
  message: string;
}

export interface BackendCall {
  tool: string;
  args: unknown;
}

export interface GuardCallResult {
  /** The guard's return value: a byte count, or a negative code. */
  code: number;
  output: string;
  /** Output buffer sizes offered, one per attempt. */
  attempts: number[];
}

interface GuardExports {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  dealloc(ptr: number, size: number): void;
  label_agent(inPtr: number, inLen: number, outPtr: number, outSize: number): number;
  label_resource(inPtr: number, inLen: number, outPtr: number, outSize: number): number;
  label_response(inPtr: number, inLen: number, outPtr: number, outSize: number): number;
}

export interface HarnessOptions {
  /**
   * Answers for call_backend, keyed by `<tool> <args JSON>` for one exact call or by the tool
   * name for any arguments. A call with no answer returns −1, as a failing backend does.
   */
  backend?: Map<string, unknown>;
  /** First output buffer size (the real host starts at 4 MiB). */
  outputSize?: number;
}

const BUFFER_TOO_SMALL = -2;
const MAX_ATTEMPTS = 3;
const MAX_OUTPUT = 16 * 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class GuardHarness {
  readonly logs: HostLogEntry[] = [];
  readonly backendCalls: BackendCall[] = [];
  readonly backend: Map<string, unknown>;
  readonly #outputSize: number;
  #guard: GuardExports | undefined;

  private constructor(options: HarnessOptions) {
    this.backend = options.backend ?? new Map();
    this.#outputSize = options.outputSize ?? 4 * 1024 * 1024;
  }

  static async load(wasmPath: string, options: HarnessOptions = {}): Promise<GuardHarness> {
    const harness = new GuardHarness(options);
    const module = await WebAssembly.compile(await readFile(wasmPath));
    const instance = await WebAssembly.instantiate(module, {
      env: {
        call_backend: harness.#callBackend.bind(harness),
        host_log: harness.#hostLog.bind(harness),
      },
    });
    harness.#guard = instance.exports as unknown as GuardExports;
    return harness;
  }

  /** Calls a label function with input serialised as JSON, retrying on −2 as the host does. */
  call(fn: GuardFunction, input: unknown): GuardCallResult {
    return this.callRaw(fn, JSON.stringify(input));
  }

  /** Calls a label function with input text as it is (for inputs that are not valid JSON). */
  callRaw(fn: GuardFunction, inputText: string): GuardCallResult {
    const guard = this.#exports();
    const inputBytes = encoder.encode(inputText);
    const attempts: number[] = [];
    let size = this.#outputSize;
    for (;;) {
      const offered = size;
      attempts.push(offered);
      const inPtr = guard.alloc(inputBytes.length) >>> 0;
      const outPtr = guard.alloc(offered) >>> 0;
      try {
        new Uint8Array(guard.memory.buffer, inPtr, inputBytes.length).set(inputBytes);
        const code = guard[fn](inPtr, inputBytes.length, outPtr, offered);
        if (code >= 0) {
          return { code, output: decoder.decode(new Uint8Array(guard.memory.buffer, outPtr, code).slice()), attempts };
        }
        if (code !== BUFFER_TOO_SMALL || attempts.length === MAX_ATTEMPTS) return { code, output: "", attempts };
        const hint = new DataView(guard.memory.buffer).getUint32(outPtr, true);
        size = hint > 0 ? hint : offered * 2;
        if (size > MAX_OUTPUT) return { code, output: "", attempts };
      } finally {
        guard.dealloc(outPtr, offered);
        guard.dealloc(inPtr, inputBytes.length);
      }
    }
  }

  /** Calls a label function and parses its answer; throws with the guard's logs if it failed. */
  callJson(fn: GuardFunction, input: unknown): unknown {
    const result = this.call(fn, input);
    if (result.code <= 0) {
      throw new Error(`${fn} returned ${result.code}; guard log: ${JSON.stringify(this.logs)}`);
    }
    return JSON.parse(result.output);
  }

  /** Current size of the guard's linear memory. */
  memoryBytes(): number {
    return this.#exports().memory.buffer.byteLength;
  }

  #exports(): GuardExports {
    if (!this.#guard) throw new Error("guard not loaded");
    return this.#guard;
  }

  #readString(ptr: number, len: number): string | undefined {
    const memory = this.#exports().memory.buffer;
    const start = ptr >>> 0;
    const length = len >>> 0;
    if (start + length > memory.byteLength) return undefined;
    return decoder.decode(new Uint8Array(memory, start, length));
  }

  #callBackend(toolPtr: number, toolLen: number, argsPtr: number, argsLen: number, resultPtr: number, resultSize: number): number {
    const tool = this.#readString(toolPtr, toolLen);
    const argsText = this.#readString(argsPtr, argsLen);
    if (tool === undefined || argsText === undefined) return -1;
    let args: unknown;
    try {
      args = argsText === "" ? null : JSON.parse(argsText);
    } catch {
      return -1;
    }
    this.backendCalls.push({ tool, args });
    const exact = `${tool} ${JSON.stringify(args)}`;
    const answer = this.backend.has(exact) ? this.backend.get(exact) : this.backend.get(tool);
    if (answer === undefined) return -1;
    const bytes = encoder.encode(JSON.stringify(answer));
    const memory = this.#exports().memory.buffer;
    const size = resultSize >>> 0;
    const ptr = resultPtr >>> 0;
    if (bytes.length > size) {
      if (size >= 4) new DataView(memory).setUint32(ptr, bytes.length, true);
      return BUFFER_TOO_SMALL;
    }
    if (ptr + bytes.length > memory.byteLength) return -1;
    new Uint8Array(memory, ptr, bytes.length).set(bytes);
    return bytes.length;
  }

  #hostLog(level: number, msgPtr: number, msgLen: number): void {
    this.logs.push({ level, message: this.#readString(msgPtr, msgLen) ?? "<unreadable>" });
  }
}
