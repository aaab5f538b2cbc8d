// The process-wide cache of compiled guard modules, keyed by the SHA-256 of the bytes that are
// compiled (after the memory cap is written in, so one binary under two caps is two entries).
// A compiled WebAssembly.Module is shared with worker threads without recompiling, so one
// entry serves every instance of every guard loaded from the same bytes.
import { createHash } from "node:crypto";

/** What a guard needs from a cache; a plain Map<string, WebAssembly.Module> is one. */
export interface ModuleCache {
  get(key: string): WebAssembly.Module | undefined;
  set(key: string, module: WebAssembly.Module): unknown;
  delete(key: string): boolean;
  clear(): void;
  readonly size: number;
}

let shared: ModuleCache = new Map<string, WebAssembly.Module>();

/** The cache guards use unless their options pass another one (or null for none). */
export function sharedModuleCache(): ModuleCache {
  return shared;
}

/** Replaces the process-wide cache (embedders that bound its size, for example); returns the old one. */
export function replaceSharedModuleCache(cache: ModuleCache): ModuleCache {
  const previous = shared;
  shared = cache;
  return previous;
}

function moduleKey(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Compiles through the cache; `null` compiles every time. */
export async function compileCached(bytes: Uint8Array<ArrayBuffer>, cache: ModuleCache | null): Promise<WebAssembly.Module> {
  if (!cache) return WebAssembly.compile(bytes);
  if (cache.size === 0) {
    // Nothing to hit (the first guard at start-up): the compile starts at once, on V8's background
    // threads, and the bytes (copied by the call) are hashed for the entry meanwhile.
    const compiling = WebAssembly.compile(bytes);
    const key = moduleKey(bytes);
    const module = await compiling;
    cache.set(key, module);
    return module;
  }
  const key = moduleKey(bytes);
  const hit = cache.get(key);
  if (hit) return hit;
  const module = await WebAssembly.compile(bytes);
  cache.set(key, module);
  return module;
}
