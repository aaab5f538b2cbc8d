// From bytes on disk to a compiled, validated guard module: read the binary's layout, check it
// against the ABI, write the memory cap into it, and compile it through the module cache.
import { readFile } from "node:fs/promises";
import { abiProblems } from "./abi.ts";
import { errorMessage } from "./errors.ts";
import { DEFAULT_MEMORY_LIMIT_PAGES } from "./limits.ts";
import { compileCached } from "./module-cache.ts";
import type { ModuleCache } from "./module-cache.ts";
import { capMemories, readModuleLayout } from "./wasm-binary.ts";
import type { ModuleLayout } from "./wasm-binary.ts";

export interface ModuleReport {
  layout?: ModuleLayout;
  /** Every reason the module is not a usable guard; empty when it is one. */
  problems: string[];
}

export async function readGuardBytes(path: string): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new Error(`failed to read WASM file: ${errorMessage(error)}`, { cause: error });
  }
}

/** Checks a binary against the guard ABI without compiling it. */
export function inspectGuardBytes(bytes: Uint8Array, memoryLimitPages = DEFAULT_MEMORY_LIMIT_PAGES): ModuleReport {
  let layout: ModuleLayout;
  try {
    layout = readModuleLayout(bytes);
  } catch (error) {
    return { problems: [`failed to instantiate WASM module: ${errorMessage(error)}`] };
  }
  return { layout, problems: abiProblems(layout, memoryLimitPages) };
}

/** Validates, caps and compiles; throws an error listing every problem of an invalid guard. */
export async function compileGuardModule(
  bytes: Uint8Array<ArrayBuffer>,
  memoryLimitPages: number,
  cache: ModuleCache | null,
): Promise<WebAssembly.Module> {
  const report = inspectGuardBytes(bytes, memoryLimitPages);
  if (!report.layout || report.problems.length > 0) throw new Error(report.problems.join("; "));
  const capped = capMemories(bytes, report.layout, memoryLimitPages);
  try {
    return await compileCached(capped, cache);
  } catch (error) {
    throw new Error(`failed to instantiate WASM module: ${errorMessage(error)}`, { cause: error });
  }
}
