// The WASI preview1 functions a guard may import, with their core-wasm signatures, so a guard
// that imports an unknown WASI name or declares a wrong signature is rejected at load, as a
// linking runtime would. Letters: i = i32, I = i64; after ">" the result ("" = none).

const SIGNATURES: Record<string, string> = {
  args_get: "ii>i",
  args_sizes_get: "ii>i",
  environ_get: "ii>i",
  environ_sizes_get: "ii>i",
  clock_res_get: "ii>i",
  clock_time_get: "iIi>i",
  fd_advise: "iIIi>i",
  fd_allocate: "iII>i",
  fd_close: "i>i",
  fd_datasync: "i>i",
  fd_fdstat_get: "ii>i",
  fd_fdstat_set_flags: "ii>i",
  fd_fdstat_set_rights: "iII>i",
  fd_filestat_get: "ii>i",
  fd_filestat_set_size: "iI>i",
  fd_filestat_set_times: "iIIi>i",
  fd_pread: "iiiIi>i",
  fd_prestat_get: "ii>i",
  fd_prestat_dir_name: "iii>i",
  fd_pwrite: "iiiIi>i",
  fd_read: "iiii>i",
  fd_readdir: "iiiIi>i",
  fd_renumber: "ii>i",
  fd_seek: "iIii>i",
  fd_sync: "i>i",
  fd_tell: "ii>i",
  fd_write: "iiii>i",
  path_create_directory: "iii>i",
  path_filestat_get: "iiiii>i",
  path_filestat_set_times: "iiiiIIi>i",
  path_link: "iiiiiii>i",
  path_open: "iiiiiIIii>i",
  path_readlink: "iiiiii>i",
  path_remove_directory: "iii>i",
  path_rename: "iiiiii>i",
  path_symlink: "iiiii>i",
  path_unlink_file: "iii>i",
  poll_oneoff: "iiii>i",
  proc_exit: "i>",
  proc_raise: "i>i",
  sched_yield: ">i",
  random_get: "ii>i",
  sock_accept: "iii>i",
  sock_recv: "iiiiii>i",
  sock_send: "iiiii>i",
  sock_shutdown: "ii>i",
};

export interface Signature {
  params: ("i32" | "i64")[];
  results: ("i32" | "i64")[];
}

function decode(code: string): Signature {
  const [params = "", results = ""] = code.split(">");
  const type = (c: string): "i32" | "i64" => (c === "I" ? "i64" : "i32");
  return { params: [...params].map(type), results: [...results].map(type) };
}

/** The expected signature of a WASI preview1 import, or undefined for a name preview1 lacks. */
export function wasiSignature(name: string): Signature | undefined {
  const code = Object.hasOwn(SIGNATURES, name) ? SIGNATURES[name] : undefined;
  return code === undefined ? undefined : decode(code);
}

export const WASI_FUNCTION_NAMES: readonly string[] = Object.keys(SIGNATURES);
