// Every limit the guard host enforces, in one place. The ABI numbers follow gh-aw-mcpg so a
// guard built for it behaves the same here; the rest are flowgate's own choices, explained.

/** WebAssembly page size in bytes. */
export const WASM_PAGE_SIZE = 65_536;

/** Default cap on a guard's own linear memory: 512 pages = 32 MiB, as in the reference. */
export const DEFAULT_MEMORY_LIMIT_PAGES = 512;

/** Largest JSON input passed to a guard function (inclusive), 8 MiB. */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024;

/** First output buffer offered to a guard function, 4 MiB. */
export const INITIAL_OUTPUT_BUFFER_BYTES = 4 * 1024 * 1024;

/** Largest output buffer the host will offer after −2 retries, 16 MiB. */
export const MAX_OUTPUT_BUFFER_BYTES = 16 * 1024 * 1024;

/** Attempts per guard invocation (the first one plus two −2 retries). */
export const MAX_CALL_ATTEMPTS = 3;

/** Free space kept below the buffers in the direct-memory fallback. */
export const DIRECT_PATH_HEADROOM_BYTES = 65_536;

/** call_backend calls allowed per guard invocation; the next one gets −1. */
export const MAX_BACKEND_CALLS_PER_INVOCATION = 50;

/** Default deadline of a guard call when the caller gives none: the reference's tool timeout. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;

/** Instances per guard, each serving one call at a time. */
export const DEFAULT_POOL_SIZE = 2;

/** How long a worker may take to start and instantiate the module (a start section could loop). */
export const INSTANTIATE_TIMEOUT_MS = 10_000;

/** Consecutive failures after which /health reports the guard as failed (it still retries). */
export const FAILED_AFTER_CONSECUTIVE_FAILURES = 5;

/**
 * Back-off between recoveries: the first failure recovers at once, the n-th consecutive one
 * waits BASE·2^(n−2) ms, at most MAX. Calls inside the window fail fast instead of queueing.
 */
export const RECOVERY_BACKOFF_BASE_MS = 100;
export const RECOVERY_BACKOFF_MAX_MS = 30_000;

/**
 * Inputs and outputs up to this size cross between the host and a guard worker through a
 * shared buffer (no structured clone); larger ones go through a message port.
 */
export const SHARED_CALL_BUFFER_BYTES = 1024 * 1024;

/**
 * After handing a worker a call with a small input, the main thread waits for the answer
 * synchronously (a short spin, then Atomics.wait), because a guard usually answers within
 * microseconds and resolving Atomics.waitAsync through the event loop costs more than that.
 * These waits together block the event loop at most this long per event-loop turn (all guards
 * together); a call not answered within what is left falls back to the asynchronous wait.
 */
export const SYNC_WAIT_BUDGET_US = 100;

/** Of a synchronous wait, the first part is a spin on the call state, the rest a futex sleep. */
export const SYNC_WAIT_SPIN_US = 10;

/** Only calls with inputs up to this size are waited for synchronously. */
export const SYNC_WAIT_MAX_INPUT_BYTES = 16 * 1024;

/** JS heap of a guard worker; the wasm memory is capped separately by the memory limit. */
export const WORKER_HEAP_LIMIT_MB = 256;

/**
 * Young generation of a guard worker. A worker makes little short-lived garbage (a call's log
 * lines, call_backend's arguments), and V8's default lets each worker's young generation grow as
 * large as the gateway's own: resident memory for nothing (figures in docs/performance.md).
 */
export const WORKER_YOUNG_GENERATION_MB = 3;

/** Return codes of the ABI. */
export const CODE_ERROR = -1;
export const CODE_BUFFER_TOO_SMALL = -2;
