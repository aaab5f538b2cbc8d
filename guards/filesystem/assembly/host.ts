// The guard side of the ABI: the two host imports, the allocator the host uses to place input
// and output buffers, and helpers to read the input string and write the answer.

@external("env", "call_backend")
declare function hostCallBackend(
  toolPtr: usize,
  toolLen: i32,
  argsPtr: usize,
  argsLen: i32,
  resultPtr: usize,
  resultSize: i32,
): i32;

@external("env", "host_log")
declare function hostLog(level: i32, msgPtr: usize, msgLen: i32): void;

export const LOG_DEBUG: i32 = 0;
export const LOG_INFO: i32 = 1;
export const LOG_WARN: i32 = 2;
export const LOG_ERROR: i32 = 3;

/** Return code for "the output buffer is too small"; the required size is written at its start. */
export const BUFFER_TOO_SMALL: i32 = -2;
/** Return code for "this call failed"; the host reports it and fails the call closed. */
export const CALL_FAILED: i32 = -1;

const BACKEND_INITIAL_BUFFER: i32 = 64 * 1024;
const BACKEND_MAX_BUFFER: i32 = 16 * 1024 * 1024;

export function alloc(size: i32): i32 {
  return <i32>heap.alloc(<usize>size);
}

export function dealloc(ptr: i32, _size: i32): void {
  if (ptr != 0) heap.free(<usize>ptr);
}

export function log(level: i32, message: string): void {
  const bytes = String.UTF8.encode(message);
  hostLog(level, changetype<usize>(bytes), bytes.byteLength);
}

export function readInput(ptr: i32, len: i32): string {
  return String.UTF8.decodeUnsafe(<usize>ptr, <usize>len);
}

/**
 * Writes json into the host's output buffer and returns its byte length; when it does not fit,
 * returns −2 with the needed size as u32 little-endian at the buffer start so the host can retry.
 */
export function writeOutput(json: string, outputPtr: i32, outputSize: i32): i32 {
  const bytes = String.UTF8.encode(json);
  const length = bytes.byteLength;
  if (length > outputSize) {
    if (outputSize >= 4) store<u32>(<usize>outputPtr, <u32>length);
    return BUFFER_TOO_SMALL;
  }
  memory.copy(<usize>outputPtr, changetype<usize>(bytes), <usize>length);
  return length;
}

/**
 * Calls a tool on the guarded server through the host and returns the JSON result, or null when
 * the host reports an error. Grows the buffer once if the host says it is too small.
 */
export function callBackend(tool: string, argsJson: string): string | null {
  const toolBytes = String.UTF8.encode(tool);
  const argsBytes = String.UTF8.encode(argsJson);
  let size = BACKEND_INITIAL_BUFFER;
  for (let attempt = 0; attempt < 2; attempt++) {
    const buffer = heap.alloc(<usize>size);
    const written = hostCallBackend(
      changetype<usize>(toolBytes),
      toolBytes.byteLength,
      changetype<usize>(argsBytes),
      argsBytes.byteLength,
      buffer,
      size,
    );
    if (written >= 0) {
      const result = String.UTF8.decodeUnsafe(buffer, <usize>written);
      heap.free(buffer);
      return result;
    }
    const needed = written == BUFFER_TOO_SMALL ? <i32>load<u32>(buffer) : 0;
    heap.free(buffer);
    if (written != BUFFER_TOO_SMALL || needed <= size || needed > BACKEND_MAX_BUFFER) break;
    size = needed;
  }
  log(LOG_WARN, "call_backend " + tool + " failed");
  return null;
}
