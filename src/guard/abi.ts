// The guard ABI as a checker: which exports and imports a guard must and may have, with
// signatures. Used at load (any problem rejects the guard) and by `flowgate guard inspect`.
import { formatFuncType, type FuncType, type ModuleLayout } from "./wasm-binary.ts";
import { wasiSignature } from "./wasi-signatures.ts";

export const GUARD_FUNCTIONS = ["label_resource", "label_response", "label_agent"] as const;
export type GuardFunction = (typeof GUARD_FUNCTIONS)[number];

const GUARD_FUNCTION_TYPE: FuncType = { params: ["i32", "i32", "i32", "i32"], results: ["i32"] };

const HOST_FUNCTIONS: Record<string, FuncType> = {
  call_backend: { params: ["i32", "i32", "i32", "i32", "i32", "i32"], results: ["i32"] },
  host_log: { params: ["i32", "i32", "i32"], results: [] },
};

export const WASI_MODULE = "wasi_snapshot_preview1";

function sameType(a: FuncType | undefined, b: FuncType): boolean {
  return !!a && a.params.join() === b.params.join() && a.results.join() === b.results.join();
}

function importProblem(module: string, name: string, kind: string, type: FuncType | undefined): string | undefined {
  const label = `${module}.${name}`;
  if (module === "env") {
    const expected = Object.hasOwn(HOST_FUNCTIONS, name) ? HOST_FUNCTIONS[name] : undefined;
    if (!expected) {
      return `WASM module imports ${label}, which the host does not provide (env offers only call_backend and host_log)`;
    }
    if (kind !== "function") return `WASM module imports ${label} as a ${kind}; the host provides it as a function`;
    if (!sameType(type, expected)) {
      return `WASM module import ${label} must have signature ${formatFuncType(expected)}, got ${formatFuncType(type)}`;
    }
    return undefined;
  }
  if (module === WASI_MODULE) {
    const expected = wasiSignature(name);
    if (!expected) return `WASM module imports ${label}, which is not a WASI preview1 function`;
    if (kind !== "function") return `WASM module imports ${label} as a ${kind}; WASI provides it as a function`;
    if (!sameType(type, expected)) {
      return `WASM module import ${label} must have signature ${formatFuncType(expected)}, got ${formatFuncType(type)}`;
    }
    return undefined;
  }
  return `WASM module imports ${label} from module "${module}"; a guard may import only env.call_backend, env.host_log and ${WASI_MODULE}`;
}

/**
 * Every reason the module cannot serve as a guard, in the order the reference checks them,
 * with its texts where it has them; an empty list means the module is a valid guard.
 */
export function abiProblems(layout: ModuleLayout, memoryLimitPages: number): string[] {
  const problems: string[] = [];
  for (const entry of layout.imports) {
    const problem = importProblem(entry.module, entry.name, entry.kind, entry.type);
    if (problem) problems.push(problem);
  }
  for (const memory of layout.memories) {
    if (memory.memory64) problems.push("WASM module declares a 64-bit memory; guards use a 32-bit memory");
    if (memory.min > memoryLimitPages) {
      problems.push(
        `WASM module memory min ${memory.min} pages (${memory.min * 64} KiB) is over the limit of ${memoryLimitPages} pages (${memoryLimitPages * 64} KiB)`,
      );
    }
  }
  const exported = new Map(layout.exports.map((e) => [e.name, e]));
  const hasFunction = (name: string) => exported.get(name)?.kind === "function";
  if (!hasFunction("label_resource") || !hasFunction("label_response")) {
    if (hasFunction("_start") && !hasFunction("label_resource")) {
      problems.push(
        "WASM module exports _start but not label_resource: it looks like a command built with standard Go instead of TinyGo " +
          "(or another toolchain's executable mode); build it as a library (reactor) that exports the guard functions",
      );
    } else {
      problems.push("WASM module must export label_resource and label_response functions");
    }
  }
  if (!hasFunction("label_agent")) problems.push("WASM module must export label_agent");
  for (const name of GUARD_FUNCTIONS) {
    const entry = exported.get(name);
    if (entry?.kind === "function" && !sameType(entry.type, GUARD_FUNCTION_TYPE)) {
      problems.push(`WASM module function ${name} must have signature ${formatFuncType(GUARD_FUNCTION_TYPE)}, got ${formatFuncType(entry.type)}`);
    }
  }
  if (!layout.exports.some((e) => e.kind === "memory")) {
    problems.push('WASM module has no memory: export its linear memory (as "memory") so the host can pass inputs and read outputs');
  }
  return problems;
}
