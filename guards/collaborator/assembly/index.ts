// A guard that trusts people by their permission on a repository, through the host's
// get_collaborator_permission (guard-abi.md §4.1). label_resource asks the host about the user a
// call names (tool_args `owner`, `repo`, `username`) and gives the resource `approved` integrity
// when that user may push to the repository; the agent holds `approved`, so in filter mode it may
// read only what such a user wrote. A lookup that fails leaves the resource without integrity.

@external("env", "call_backend")
declare function call_backend(namePtr: i32, nameLen: i32, argsPtr: i32, argsLen: i32, resultPtr: i32, resultSize: i32): i32;

const ANSWER_BYTES = 64 * 1024;

export function alloc(size: i32): i32 {
  return <i32>heap.alloc(<usize>size);
}

export function dealloc(ptr: i32, _size: i32): void {
  heap.free(<usize>ptr);
}

function writeOutput(json: string, outputPtr: i32, outputSize: i32): i32 {
  const bytes = String.UTF8.encode(json);
  if (bytes.byteLength > outputSize) return -1;
  memory.copy(<usize>outputPtr, changetype<usize>(bytes), <usize>bytes.byteLength);
  return bytes.byteLength;
}

/** The raw JSON text of the object value of `"field":` (the first occurrence), or "{}". */
function objectField(json: string, field: string): string {
  const key = '"' + field + '":';
  const start = json.indexOf(key);
  if (start < 0 || json.charCodeAt(start + key.length) != 123) return "{}";
  let depth = 0;
  let inString = false;
  for (let i = start + key.length; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c == 92) i++;
      else if (c == 34) inString = false;
    } else if (c == 34) inString = true;
    else if (c == 123) depth++;
    else if (c == 125 && --depth == 0) return json.substring(start + key.length, i + 1);
  }
  return "{}";
}

/** The host's answer for the permission of the user in `args`, or "" when the lookup failed. */
function permissionAnswer(args: string): string {
  const name = String.UTF8.encode("get_collaborator_permission");
  const body = String.UTF8.encode(args);
  const buffer = new ArrayBuffer(ANSWER_BYTES);
  const length = call_backend(
    <i32>changetype<usize>(name), name.byteLength,
    <i32>changetype<usize>(body), body.byteLength,
    <i32>changetype<usize>(buffer), ANSWER_BYTES,
  );
  return length < 0 ? "" : String.UTF8.decodeUnsafe(changetype<usize>(buffer), <usize>length);
}

export function label_agent(_inputPtr: i32, _inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  return writeOutput('{"agent":{"secrecy":[],"integrity":["approved"]},"difc_mode":"filter"}', outputPtr, outputSize);
}

export function label_resource(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const input = String.UTF8.decodeUnsafe(<usize>inputPtr, <usize>inputLen);
  const answer = permissionAnswer(objectField(input, "tool_args"));
  // The answer is the API's JSON inside an MCP text item, so its quotes arrive escaped.
  let permission = "unknown";
  if (answer.includes('\\"permission\\":\\"admin\\"')) permission = "admin";
  else if (answer.includes('\\"permission\\":\\"write\\"')) permission = "write";
  else if (answer.includes('\\"permission\\":\\"read\\"')) permission = "read";
  const trusted = permission == "admin" || permission == "write";
  return writeOutput(
    '{"resource":{"description":"written by a ' + permission + ' collaborator","secrecy":[],"integrity":[' + (trusted ? '"approved"' : "") + ']},"operation":"read"}',
    outputPtr,
    outputSize,
  );
}

export function label_response(_inputPtr: i32, _inputLen: i32, _outputPtr: i32, _outputSize: i32): i32 {
  return 0;
}
