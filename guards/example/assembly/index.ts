// The smallest useful guard: it accepts any policy in filter mode, treats every tool as an
// unlabelled read, and leaves responses unlabelled. It shows the shape of the ABI; the
// filesystem guard is the one that labels real data.

export function alloc(size: i32): i32 {
  return <i32>heap.alloc(<usize>size);
}

export function dealloc(ptr: i32, _size: i32): void {
  heap.free(<usize>ptr);
}

function writeOutput(json: string, outputPtr: i32, outputSize: i32): i32 {
  const bytes = String.UTF8.encode(json);
  const length = bytes.byteLength;
  if (length > outputSize) return -1;
  memory.copy(<usize>outputPtr, changetype<usize>(bytes), <usize>length);
  return length;
}

export function label_agent(_inputPtr: i32, _inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  return writeOutput('{"agent":{"secrecy":[],"integrity":[]},"difc_mode":"filter"}', outputPtr, outputSize);
}

export function label_resource(_inputPtr: i32, _inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  return writeOutput(
    '{"resource":{"description":"example","secrecy":[],"integrity":[]},"operation":"read"}',
    outputPtr,
    outputSize,
  );
}

export function label_response(_inputPtr: i32, _inputLen: i32, _outputPtr: i32, _outputSize: i32): i32 {
  return 0;
}
