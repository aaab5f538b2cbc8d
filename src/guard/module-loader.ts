// From bytes on disk to a compiled, validated guard module: read the binary's layout, check it
// against the ABI, write the memory cap into it, and compile it through the module cache.
import { open } from "node:fs/promises";
import { abiProblems } from "./abi.ts";
import { DEFAULT_MEMORY_LIMIT_PAGES } from "./limits.ts";
import { compileCached, type ModuleCache } from "./module-cache.ts";
import { capMemories, capMemoriesInPlace, readModuleLayout, type ModuleLayout } from "./wasm-binary.ts";
import { errorText } from "../shared/index.ts";

export interface ModuleReport {
  layout?: ModuleLayout;
  /** Every reason the module is not a usable guard; empty when it is one. */
  problems: string[];
}

/** Free bytes kept in front of a module read from disk, so its memory cap can be written in place. */
const CAP_HEADROOM_BYTES = 64;

/** Reads a guard binary; the view has room in front of it for capMemoriesInPlace. */
export async function readGuardBytes(path: string): Promise<Uint8Array<ArrayBuffer>> {
  try {
    await using file = await open(path);
    const { size } = await file.stat();
    const buffer = new Uint8Array(CAP_HEADROOM_BYTES + size);
    let length = 0;
    while (length < size) {
      const { bytesRead } = await file.read(buffer, CAP_HEADROOM_BYTES + length, size - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(CAP_HEADROOM_BYTES, CAP_HEADROOM_BYTES + length);
  } catch (error) {
    throw new Error(`failed to read WASM file ${path}: ${readFailure(error)}`, { cause: error });
  }
}

/** Why a guard file could not be read, said without repeating the path. */
function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EISDIR") return "it is a directory; give the guard's .wasm file inside it";
  if (code === "ENOENT") return "no such file (ENOENT)";
  if (code === "EACCES") return "permission denied (EACCES)";
  return errorText(error);
}

/** Checks a binary against the guard ABI without compiling it. */
export function inspectGuardBytes(bytes: Uint8Array, memoryLimitPages = DEFAULT_MEMORY_LIMIT_PAGES): ModuleReport {
  let layout: ModuleLayout;
  try {
    layout = readModuleLayout(bytes);
  } catch (error) {
    return { problems: [`failed to instantiate WASM module: ${errorText(error)}`] };
  }
  return { layout, problems: abiProblems(layout, memoryLimitPages) };
}

/**
 * Validates, caps and compiles; throws an error listing every problem of an invalid guard.
 * With `ownsBytes` the cap is written into `bytes`' own buffer (see readGuardBytes), never a
 * caller's.
 */
export async function compileGuardModule(
  bytes: Uint8Array<ArrayBuffer>,
  memoryLimitPages: number,
  cache: ModuleCache | null,
  ownsBytes = false,
): Promise<WebAssembly.Module> {
  const report = inspectGuardBytes(bytes, memoryLimitPages);
  if (!report.layout || report.problems.length > 0) throw new Error(report.problems.join("; "));
  const capped = (ownsBytes ? capMemoriesInPlace(bytes, report.layout, memoryLimitPages) : undefined) ?? capMemories(bytes, report.layout, memoryLimitPages);
  try {
    return await compileCached(capped, cache);
  } catch (error) {
    throw new Error(`failed to instantiate WASM module: ${errorText(error)}`, { cause: error });
  }
}
