/*
 * One guard invocation, as the ABI defines it (runs inside the guard worker).
 *
 * The host hands the guard two buffers in its own memory: the JSON input and an output buffer,
 * then calls fn(input_ptr, input_len, output_ptr, output_size) -> i32.
 *
 *  - Buffers: if the guard exports BOTH alloc(size)->ptr and dealloc(ptr,size), the host asks
 *    alloc for each buffer (a 0 pointer is an error) and ALWAYS calls dealloc for each buffer
 *    it got, output first, on every exit from the attempt: success, error code, bad output,
 *    and a cancelled request alike. Only a trap skips it: the instance is then discarded, so
 *    there is nothing left to free. Without both exports (the "direct memory fallback") the
 *    host grows memory if needed and places output at the very end of memory with the input
 *    just below it; nothing is freed, and a one-time warning is logged.
 *  - Result: >0 is the output length (copied out before dealloc), 0 is "no output", −2 is
 *    "buffer too small" with an optional u32 little-endian size hint at output_ptr, any other
 *    negative value is an error code.
 *  - Retry: the output buffer starts at 4 MiB; after −2 the next size is the hint, or double
 *    without one; more than 16 MiB is an error, and there are at most 3 attempts. Every attempt
 *    allocates and writes the input again.
 */
import type { GuardFunction } from "../abi.ts";
import {
  CODE_BUFFER_TOO_SMALL,
  DIRECT_PATH_HEADROOM_BYTES,
  INITIAL_OUTPUT_BUFFER_BYTES,
  MAX_CALL_ATTEMPTS,
  MAX_OUTPUT_BUFFER_BYTES,
  WASM_PAGE_SIZE,
} from "../limits.ts";
import type { LogLevel } from "../../log/index.ts";
import type { CallFailureKind } from "./messages.ts";
import { ProcExit } from "./wasi.ts";
import { errorText } from "../../shared/index.ts";

type WasmFunction = (...args: number[]) => unknown;

export interface LiveInstance {
  readonly name: string;
  readonly memory: WebAssembly.Memory;
  readonly functions: Record<GuardFunction, WasmFunction>;
  readonly allocator?: { alloc: WasmFunction; dealloc: WasmFunction };
  log(level: LogLevel, message: string): void;
  warnedDirectFallback: boolean;
}

export class CallFailure extends Error {
  readonly failure: CallFailureKind;
  constructor(failure: CallFailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.failure = failure;
  }
}

/** A trap, stack overflow, proc_exit or an exception from a host import: the instance is spent. */
function crashed(error: unknown, context: string): CallFailure {
  if (error instanceof CallFailure) return error;
  if (error instanceof ProcExit) {
    return new CallFailure(error.code === 0 ? "exit" : "trap", `${context}: guard exited with code ${error.code}`, { cause: error });
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new CallFailure("trap", `${context}: ${message}`, { cause: error });
}

type AttemptResult = { kind: "output"; bytes: Uint8Array } | { kind: "too-small"; hint: number };

function writeBytes(memory: WebAssembly.Memory, ptr: number, bytes: Uint8Array): void {
  if (ptr + bytes.length > memory.buffer.byteLength) {
    throw new CallFailure("error", "failed to write input to WASM memory");
  }
  new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
}

function decodeResult(memory: WebAssembly.Memory, result: unknown, outputPtr: number): AttemptResult {
  if (typeof result !== "number") throw new CallFailure("error", "WASM function returned no results");
  const code = result | 0;
  const size = memory.buffer.byteLength;
  if (code === CODE_BUFFER_TOO_SMALL) {
    const hint = outputPtr + 4 <= size ? new DataView(memory.buffer).getUint32(outputPtr, true) : 0;
    return { kind: "too-small", hint };
  }
  if (code < 0) throw new CallFailure("error", `WASM function returned error code: ${code}`);
  if (outputPtr + code > size) throw new CallFailure("error", `failed to read output from WASM memory (len=${code})`);
  // slice() copies: the bytes must survive dealloc and later calls.
  return { kind: "output", bytes: new Uint8Array(memory.buffer).slice(outputPtr, outputPtr + code) };
}

function allocate(instance: LiveInstance, size: number, what: string): number {
  const { alloc } = instance.allocator as { alloc: WasmFunction };
  let result: unknown;
  try {
    result = alloc(size);
  } catch (error) {
    throw crashed(error, `failed to allocate WASM ${what} buffer`);
  }
  if (typeof result !== "number") throw new CallFailure("error", "alloc returned no result");
  const ptr = result >>> 0;
  if (ptr === 0) throw new CallFailure("error", "alloc returned null pointer");
  return ptr;
}

function release(instance: LiveInstance, ptr: number, size: number): void {
  if (ptr === 0 || size === 0) return;
  try {
    instance.allocator?.dealloc(ptr, size);
  } catch (error) {
    // The attempt's own outcome is what the caller needs; a failing dealloc is worth a warning.
    instance.log("warn", `dealloc(${ptr}, ${size}) failed: ${errorText(error)}`);
  }
}

function allocatorAttempt(instance: LiveInstance, fn: WasmFunction, input: Uint8Array, outputSize: number): AttemptResult {
  const inputPtr = allocate(instance, input.length, "input");
  let outputPtr = 0;
  let spent = false;
  try {
    outputPtr = allocate(instance, outputSize, "output");
    writeBytes(instance.memory, inputPtr, input);
    let result: unknown;
    try {
      result = fn(inputPtr, input.length, outputPtr, outputSize);
    } catch (error) {
      throw crashed(error, "WASM function call failed");
    }
    return decodeResult(instance.memory, result, outputPtr);
  } catch (error) {
    spent = error instanceof CallFailure && error.failure !== "error";
    throw error;
  } finally {
    if (!spent) {
      release(instance, outputPtr, outputSize);
      release(instance, inputPtr, input.length);
    }
  }
}

function directAttempt(instance: LiveInstance, func: GuardFunction, fn: WasmFunction, input: Uint8Array, outputSize: number): AttemptResult {
  if (!instance.warnedDirectFallback) {
    instance.warnedDirectFallback = true;
    instance.log(
      "warn",
      `WASM guard '${instance.name}' is using the direct memory fallback for ${func} without alloc/dealloc exports; ` +
        "export alloc/dealloc to avoid linear-memory overlap risks",
    );
  }
  const { memory } = instance;
  const required = input.length + outputSize + DIRECT_PATH_HEADROOM_BYTES;
  const current = memory.buffer.byteLength;
  if (current < required) {
    try {
      memory.grow(Math.ceil((required - current) / WASM_PAGE_SIZE));
    } catch {
      throw new CallFailure("error", `failed to grow WASM memory from ${current} to ${required} bytes`);
    }
  }
  const outputPtr = memory.buffer.byteLength - outputSize;
  const inputPtr = outputPtr - input.length;
  writeBytes(memory, inputPtr, input);
  let result: unknown;
  try {
    result = fn(inputPtr, input.length, outputPtr, outputSize);
  } catch (error) {
    throw crashed(error, "WASM function call failed");
  }
  return decodeResult(memory, result, outputPtr);
}

/** Runs one guard function with the retry loop; returns the output bytes (possibly empty). */
export function invokeGuardFunction(instance: LiveInstance, func: GuardFunction, input: Uint8Array): Uint8Array {
  const fn = instance.functions[func];
  let outputSize = INITIAL_OUTPUT_BUFFER_BYTES;
  for (let attempt = 1; ; attempt++) {
    const outcome = instance.allocator ? allocatorAttempt(instance, fn, input, outputSize) : directAttempt(instance, func, fn, input, outputSize);
    if (outcome.kind === "output") return outcome.bytes;
    const next = outcome.hint > 0 ? outcome.hint : outputSize * 2;
    if (next > MAX_OUTPUT_BUFFER_BYTES) {
      throw new CallFailure("error", `guard requires buffer of ${next} bytes which exceeds maximum of ${MAX_OUTPUT_BUFFER_BYTES} bytes`);
    }
    if (attempt >= MAX_CALL_ATTEMPTS) {
      throw new CallFailure("error", `failed after ${MAX_CALL_ATTEMPTS} attempts, buffer size ${next} still insufficient`);
    }
    instance.log("debug", `Buffer too small (${outputSize} bytes), retrying with ${next} bytes`);
    outputSize = next;
  }
}
