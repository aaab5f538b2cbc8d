// The guard side of the ABI: the two host imports and the allocator the host uses to place input
// and output buffers. (Answers are written into the output buffer by JsonWriter.writeTo.)

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

export const LOG_INFO: i32 = 1;
export const LOG_WARN: i32 = 2;
export const LOG_ERROR: i32 = 3;

/** Return code for "the buffer is too small"; the required size is written at its start. */
const BUFFER_TOO_SMALL: i32 = -2;
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
