// A small WASI preview1 for guards, in plain JS: no files or preopened directories, no
// arguments or environment, stdin always at end of file, stdout and stderr handed to a line
// sink (the guard's log), real clocks and a cryptographic random source, sleeps that return at
// once (like wazero, so a guard cannot spend its deadline sleeping), and proc_exit as an
// exception the call path turns into an error. Functions preview1 has but a guard cannot use
// answer EBADF (descriptor-based) or ENOSYS.
import { WASI_FUNCTION_NAMES } from "../wasi-signatures.ts";

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_FAULT = 21;
const ERRNO_INVAL = 28;
const ERRNO_NOSYS = 52;
const ERRNO_SPIPE = 70;

const FILETYPE_CHARACTER_DEVICE = 2;
const ALL_RIGHTS = 0x1fffffffn;
const RANDOM_CHUNK = 65_536;

/** Thrown by proc_exit to unwind the guard; the call path reads the code. */
export class ProcExit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`guard called proc_exit(${code})`);
    this.code = code;
  }
}

export type StdStream = "stdout" | "stderr";

function isStdio(fd: number): boolean {
  return fd === 0 || fd === 1 || fd === 2;
}

/** Builds the import object for `wasi_snapshot_preview1`; `memory` is looked up on each call. */
export function createWasi(
  memory: () => WebAssembly.Memory,
  sink: (stream: StdStream, line: string) => void,
): { imports: Record<string, (...args: never[]) => number | void>; flush: () => void } {
  const view = () => new DataView(memory().buffer);
  const bytes = (ptr: number, len: number) => new Uint8Array(memory().buffer, ptr >>> 0, len >>> 0);
  const pending: Record<StdStream, string> = { stdout: "", stderr: "" };
  const decoder = new TextDecoder();

  const emit = (stream: StdStream, text: string) => {
    const lines = (pending[stream] + text).split("\n");
    pending[stream] = lines.pop() ?? "";
    for (const line of lines) sink(stream, line);
  };
  const flush = () => {
    for (const stream of ["stdout", "stderr"] as const) {
      if (pending[stream]) sink(stream, pending[stream]);
      pending[stream] = "";
    }
  };

  const writeZeroPair = (a: number, b: number) => {
    const v = view();
    v.setUint32(a >>> 0, 0, true);
    v.setUint32(b >>> 0, 0, true);
    return ERRNO_SUCCESS;
  };

  const now = (clock: number): bigint => {
    if (clock === 0) return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
    return process.hrtime.bigint();
  };

  const implemented: Record<string, (...args: number[]) => number | void> = {
    args_sizes_get: writeZeroPair,
    environ_sizes_get: writeZeroPair,
    args_get: () => ERRNO_SUCCESS,
    environ_get: () => ERRNO_SUCCESS,
    clock_res_get: (clock, ptr) => {
      if (clock > 3) return ERRNO_INVAL;
      view().setBigUint64(ptr >>> 0, 1000n, true);
      return ERRNO_SUCCESS;
    },
    clock_time_get: (clock, _precision, ptr) => {
      if (clock > 3) return ERRNO_INVAL;
      view().setBigUint64(ptr >>> 0, now(clock), true);
      return ERRNO_SUCCESS;
    },
    fd_write: (fd, iovs, iovsLen, nwrittenPtr) => {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      const v = view();
      let written = 0;
      let text = "";
      for (let i = 0; i < iovsLen >>> 0; i++) {
        const ptr = v.getUint32((iovs >>> 0) + i * 8, true);
        const len = v.getUint32((iovs >>> 0) + i * 8 + 4, true);
        text += decoder.decode(bytes(ptr, len), { stream: true });
        written += len;
      }
      emit(fd === 1 ? "stdout" : "stderr", text);
      v.setUint32(nwrittenPtr >>> 0, written, true);
      return ERRNO_SUCCESS;
    },
    fd_read: (fd, _iovs, _iovsLen, nreadPtr) => {
      if (fd !== 0) return ERRNO_BADF;
      view().setUint32(nreadPtr >>> 0, 0, true);
      return ERRNO_SUCCESS;
    },
    fd_close: (fd) => (isStdio(fd) ? ERRNO_SUCCESS : ERRNO_BADF),
    fd_seek: (fd) => (isStdio(fd) ? ERRNO_SPIPE : ERRNO_BADF),
    fd_tell: (fd) => (isStdio(fd) ? ERRNO_SPIPE : ERRNO_BADF),
    fd_sync: (fd) => (isStdio(fd) ? ERRNO_SUCCESS : ERRNO_BADF),
    fd_datasync: (fd) => (isStdio(fd) ? ERRNO_SUCCESS : ERRNO_BADF),
    fd_fdstat_get: (fd, ptr) => {
      if (!isStdio(fd)) return ERRNO_BADF;
      const v = view();
      const base = ptr >>> 0;
      v.setUint8(base, FILETYPE_CHARACTER_DEVICE);
      v.setUint16(base + 2, 0, true);
      v.setBigUint64(base + 8, ALL_RIGHTS, true);
      v.setBigUint64(base + 16, ALL_RIGHTS, true);
      return ERRNO_SUCCESS;
    },
    fd_fdstat_set_flags: (fd) => (isStdio(fd) ? ERRNO_SUCCESS : ERRNO_BADF),
    // No preopened directories: EBADF on fd 3 is how libc learns that.
    fd_prestat_get: () => ERRNO_BADF,
    fd_prestat_dir_name: () => ERRNO_BADF,
    random_get: (ptr, len) => {
      for (let offset = 0; offset < len >>> 0; offset += RANDOM_CHUNK) {
        crypto.getRandomValues(bytes((ptr >>> 0) + offset, Math.min(RANDOM_CHUNK, (len >>> 0) - offset)));
      }
      return ERRNO_SUCCESS;
    },
    poll_oneoff: (inPtr, outPtr, nsubscriptions, neventsPtr) => {
      // Every subscription is reported ready at once: clocks do not sleep, stdin is at EOF.
      const v = view();
      const count = nsubscriptions >>> 0;
      for (let i = 0; i < count; i++) {
        const sub = (inPtr >>> 0) + i * 48;
        const event = (outPtr >>> 0) + i * 32;
        v.setBigUint64(event, v.getBigUint64(sub, true), true);
        v.setUint16(event + 8, ERRNO_SUCCESS, true);
        v.setUint8(event + 10, v.getUint8(sub + 8));
        v.setBigUint64(event + 16, 0n, true);
        v.setUint16(event + 24, 0, true);
      }
      v.setUint32(neventsPtr >>> 0, count, true);
      return ERRNO_SUCCESS;
    },
    proc_exit: (code) => {
      throw new ProcExit(code >>> 0);
    },
    sched_yield: () => ERRNO_SUCCESS,
  };

  const imports: Record<string, (...args: never[]) => number | void> = {};
  for (const name of WASI_FUNCTION_NAMES) {
    const fn = implemented[name];
    const unsupported = name.startsWith("fd_") || name.startsWith("path_") ? ERRNO_BADF : ERRNO_NOSYS;
    // A bad pointer from the guard must not become a host exception: answer EFAULT.
    imports[name] = fn
      ? (...args: never[]) => {
          try {
            return fn(...(args as unknown as number[]).map(Number));
          } catch (error) {
            if (error instanceof ProcExit) throw error;
            return ERRNO_FAULT;
          }
        }
      : () => unsupported;
  }
  return { imports, flush };
}
