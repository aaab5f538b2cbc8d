// A complete example guard in AssemblyScript that uses both host functions. It labels a tool
// call by asking the backend: label_resource calls the backend's `echo` tool with the tool
// arguments (call_backend, growing its buffer after −2 as the ABI asks) and marks the resource
// secret when the echo mentions "private". Writes are tools whose name starts with "write_".
// Every step is logged through host_log. JSON is handled with plain string search, which is
// enough for an example and keeps the guard dependency-free.

@external("env", "call_backend")
declare function call_backend(namePtr: i32, nameLen: i32, argsPtr: i32, argsLen: i32, resultPtr: i32, resultSize: i32): i32;

@external("env", "host_log")
declare function host_log(level: i32, msgPtr: i32, msgLen: i32): void;

const LOG_DEBUG = 0;
const LOG_INFO = 1;
const LOG_WARN = 2;
const BUFFER_TOO_SMALL = -2;

let policySeen = false;

export function alloc(size: i32): i32 {
  return <i32>heap.alloc(<usize>size);
}

export function dealloc(ptr: i32, _size: i32): void {
  heap.free(<usize>ptr);
}

function log(level: i32, message: string): void {
  const bytes = String.UTF8.encode(message);
  host_log(level, <i32>changetype<usize>(bytes), bytes.byteLength);
}

function writeOutput(json: string, outputPtr: i32, outputSize: i32): i32 {
  const bytes = String.UTF8.encode(json);
  const length = bytes.byteLength;
  if (length > outputSize) {
    // Ask the host for a bigger buffer, telling it the exact size.
    if (outputSize >= 4) store<u32>(<usize>outputPtr, <u32>length);
    return BUFFER_TOO_SMALL;
  }
  memory.copy(<usize>outputPtr, changetype<usize>(bytes), <usize>length);
  return length;
}

/** The raw JSON text of a top-level field (object, string, ...), or "null". */
function rawField(json: string, field: string): string {
  const key = '"' + field + '":';
  const start = json.indexOf(key);
  if (start < 0) return "null";
  let i = start + key.length;
  let depth = 0;
  let inString = false;
  for (let j = i; j < json.length; j++) {
    const c = json.charCodeAt(j);
    if (inString) {
      if (c == 92) j++;
      else if (c == 34) inString = false;
      continue;
    }
    if (c == 34) inString = true;
    else if (c == 123 || c == 91) depth++;
    else if (c == 125 || c == 93) {
      if (depth == 0) return json.substring(i, j);
      depth--;
    } else if (c == 44 && depth == 0) return json.substring(i, j);
  }
  return json.substring(i);
}

function callBackend(tool: string, args: string): string | null {
  const name = String.UTF8.encode(tool);
  const body = String.UTF8.encode(args);
  let size = 64;
  for (let attempt = 0; attempt < 3; attempt++) {
    const buffer = new ArrayBuffer(size);
    const result = call_backend(
      <i32>changetype<usize>(name), name.byteLength,
      <i32>changetype<usize>(body), body.byteLength,
      <i32>changetype<usize>(buffer), size,
    );
    if (result >= 0) return String.UTF8.decodeUnsafe(changetype<usize>(buffer), <usize>result);
    if (result != BUFFER_TOO_SMALL) return null;
    const hint = <i32>load<u32>(changetype<usize>(buffer));
    size = hint > size ? hint : size * 2;
    log(LOG_DEBUG, "call_backend buffer too small, retrying with " + size.toString() + " bytes");
  }
  return null;
}

export function label_agent(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const policy = String.UTF8.decodeUnsafe(<usize>inputPtr, <usize>inputLen);
  policySeen = true;
  log(LOG_INFO, "policy received: " + policy);
  return writeOutput('{"agent":{"secrecy":[],"integrity":["approved"]},"difc_mode":"filter"}', outputPtr, outputSize);
}

export function label_resource(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const input = String.UTF8.decodeUnsafe(<usize>inputPtr, <usize>inputLen);
  const toolName = rawField(input, "tool_name");
  const args = rawField(input, "tool_args");
  const echoed = callBackend("echo", '{"message":' + jsonString(args) + "}");
  if (echoed == null) {
    log(LOG_WARN, "echo backend call failed for " + toolName);
    return -1;
  }
  const secret = echoed.includes("private");
  const operation = toolName.startsWith('"write_') ? "write" : "read";
  log(LOG_DEBUG, "labelled " + toolName + (secret ? " as private" : " as public") + (policySeen ? "" : " (no policy yet)"));
  return writeOutput(
    '{"resource":{"description":"echo:' + toolName.replaceAll('"', "") + '","secrecy":[' + (secret ? '"private:echo"' : "") +
      '],"integrity":["approved"]},"operation":"' + operation + '"}',
    outputPtr,
    outputSize,
  );
}

export function label_response(_inputPtr: i32, _inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  return writeOutput('{"labeled_paths":[],"default_labels":{"description":"echo response","secrecy":[],"integrity":["approved"]}}', outputPtr, outputSize);
}

/** JSON-encodes a string (quotes and backslashes; the args text has no control characters). */
function jsonString(text: string): string {
  return '"' + text.replaceAll("\\", "\\\\").replaceAll('"', '\\"') + '"';
}
