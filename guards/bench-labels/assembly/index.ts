// A guard for the large-response benchmark (bench/filter-large.ts): it labels every item of a
// JSON collection by path, and marks one item in four secret. The tool result's text item holds
// {"items":[{"number":…},…]}; inside the guard's input that text is a JSON string, so each item
// shows as \"number\": and the guard counts those. Its output names items by path
// (/items/<i>) and never repeats their content, so it stays small next to the response.

const BUFFER_TOO_SMALL = -2;
const SECRET_EVERY = 4;
/** An upper bound on the bytes one item's labels take, for asking the host for a buffer. */
const MAX_BYTES_PER_ITEM = 128;

const AGENT = String.UTF8.encode('{"agent":{"secrecy":[],"integrity":[]},"difc_mode":"filter"}');
const RESOURCE = String.UTF8.encode('{"resource":{"description":"bench:items","secrecy":[],"integrity":[]},"operation":"read"}');
const HEAD = String.UTF8.encode('{"items_path":"/items","labeled_paths":[');
const ITEM_START = String.UTF8.encode('{"path":"/items/');
const ITEM_LABELS = String.UTF8.encode('","labels":{"description":"bench:item","secrecy":[');
const SECRET = String.UTF8.encode('"private:bench/secret"');
const ITEM_END = String.UTF8.encode('],"integrity":[]}}');
const TAIL = String.UTF8.encode("]}");
const ITEM_KEY = String.UTF8.encode('\\"number\\":');

export function alloc(size: i32): i32 {
  return <i32>heap.alloc(<usize>size);
}

export function dealloc(ptr: i32, _size: i32): void {
  heap.free(<usize>ptr);
}

function answer(bytes: ArrayBuffer, outputPtr: i32, outputSize: i32): i32 {
  const length = bytes.byteLength;
  if (length > outputSize) {
    if (outputSize >= 4) store<u32>(<usize>outputPtr, <u32>length);
    return BUFFER_TOO_SMALL;
  }
  memory.copy(<usize>outputPtr, changetype<usize>(bytes), <usize>length);
  return length;
}

export function label_agent(_inputPtr: i32, _inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  return answer(AGENT, outputPtr, outputSize);
}

export function label_resource(_inputPtr: i32, _inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  return answer(RESOURCE, outputPtr, outputSize);
}

function countItems(inputPtr: usize, inputLen: usize): i32 {
  const key = changetype<usize>(ITEM_KEY);
  const keyLen = <usize>ITEM_KEY.byteLength;
  const first = load<u8>(key);
  let count = 0;
  for (let i: usize = 0; i + keyLen <= inputLen; i++) {
    if (load<u8>(inputPtr + i) != first) continue;
    if (memory.compare(inputPtr + i, key, keyLen) == 0) {
      count++;
      i += keyLen - 1;
    }
  }
  return count;
}

function put(at: usize, bytes: ArrayBuffer): usize {
  memory.copy(at, changetype<usize>(bytes), <usize>bytes.byteLength);
  return at + <usize>bytes.byteLength;
}

function putDecimal(at: usize, value: i32): usize {
  let digits = 1;
  for (let v = value; v >= 10; v /= 10) digits++;
  let v = value;
  for (let d = digits - 1; d >= 0; d--) {
    store<u8>(at + <usize>d, <u8>(48 + (v % 10)));
    v /= 10;
  }
  return at + <usize>digits;
}

export function label_response(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const items = countItems(<usize>inputPtr, <usize>inputLen);
  const bound = 64 + items * MAX_BYTES_PER_ITEM;
  if (bound > outputSize) {
    if (outputSize >= 4) store<u32>(<usize>outputPtr, <u32>bound);
    return BUFFER_TOO_SMALL;
  }
  let at = put(<usize>outputPtr, HEAD);
  for (let i = 0; i < items; i++) {
    if (i > 0) store<u8>(at++, 44);
    at = put(at, ITEM_START);
    at = putDecimal(at, i);
    at = put(at, ITEM_LABELS);
    if (i % SECRET_EVERY == 0) at = put(at, SECRET);
    at = put(at, ITEM_END);
  }
  at = put(at, TAIL);
  return <i32>(at - <usize>outputPtr);
}
