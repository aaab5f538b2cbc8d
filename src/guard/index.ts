// The guard host's public interface. Everything else under src/guard is internal.
export type {
  AgentLabels,
  BackendCaller,
  DifcMode,
  Guard,
  GuardCallOptions,
  GuardHealth,
  GuardLogger,
  GuardStatus,
  Operation,
  PoolUsage,
  ResourceLabels,
} from "./types.ts";
export { GuardError } from "./errors.ts";
export type { GuardErrorKind } from "./errors.ts";
export { loadWasmGuard } from "./wasm-guard.ts";
export type { GuardInput, WasmGuard, WasmGuardOptions } from "./wasm-guard.ts";
export { replaceSharedModuleCache, sharedModuleCache } from "./module-cache.ts";
export type { ModuleCache } from "./module-cache.ts";
export { inspectGuardBytes, readGuardBytes } from "./module-loader.ts";
export type { ModuleReport } from "./module-loader.ts";
export * as limits from "./limits.ts";
export { NoopGuard, WriteSinkGuard } from "./builtin-guards.ts";
export type { WriteSinkOptions } from "./builtin-guards.ts";
export { BAKED_IN_GITHUB_GUARD, GUARDS_DIR_ENV, discoverGuardFile } from "./discovery.ts";
export type { DiscoveryOptions } from "./discovery.ts";
