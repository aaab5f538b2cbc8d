// An append-only log file written in batches: lines queue in memory, and one synchronous append
// carries all of them FLUSH_INTERVAL_MS after the first, or at once when the queue passes
// FLUSH_BYTES. Batching keeps write(2) off the per-call path (a logged call used to cost six
// appends); nothing is ever in flight in the thread pool, so lines land in the order they were
// logged, and a synchronous flush at process exit is complete. Data reaches the disk with fsync
// only on close.
import { close, fchmodSync, fsync, writeSync } from "node:fs";
import { openLogFileSync } from "./open-log-file.ts";

/** How long a logged line may wait in memory: short enough to tail the logs live. */
const FLUSH_INTERVAL_MS = 50;
/** A queue this large is written at once, so a burst never holds much memory. */
const FLUSH_BYTES = 1 << 20;

export class AppendWriter {
  readonly path: string;
  #fd: number | undefined;
  #queue: string[] = [];
  #queuedChars = 0;
  #timer: NodeJS.Timeout | undefined;
  #onError: (error: Error) => void;
  #closed: Promise<void> | undefined;

  /** Opens (creating with, or setting, `mode`) for appending, or truncating first with `truncate`; throws if it cannot. */
  constructor(path: string, options: { mode: number; truncate?: boolean; onError: (error: Error) => void }) {
    this.path = path;
    this.#fd = openLogFileSync(path, options.truncate === true ? "truncate" : "append", options.mode);
    try {
      // A file that already existed keeps its old mode through openSync.
      fchmodSync(this.#fd, options.mode);
    } catch {
      // Not ours to chmod (another owner): it is still ours to append to.
    }
    this.#onError = options.onError;
  }

  get isOpen(): boolean {
    return this.#fd !== undefined;
  }

  write(text: string): void {
    if (this.#fd === undefined) return;
    this.#queue.push(text);
    this.#queuedChars += text.length;
    if (this.#queuedChars >= FLUSH_BYTES) {
      this.flushSync();
      return;
    }
    if (this.#timer !== undefined) return;
    // Unref'd: a pending batch never keeps the process alive; the logger flushes at exit.
    this.#timer = setTimeout(() => this.flushSync(), FLUSH_INTERVAL_MS).unref();
  }

  /** Appends everything queued, now. */
  flushSync(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const fd = this.#fd;
    if (fd === undefined || this.#queue.length === 0) return;
    const chunk = Buffer.from(this.#queue.join(""));
    this.#queue = [];
    this.#queuedChars = 0;
    try {
      for (let offset = 0; offset < chunk.length;) offset += writeSync(fd, chunk, offset);
    } catch (error) {
      this.#fd = undefined;
      close(fd, () => undefined);
      this.#onError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Resolves once everything written so far is on disk and the file is closed; safe to call twice. */
  close(): Promise<void> {
    this.#closed ??= this.#flushAndClose();
    return this.#closed;
  }

  async #flushAndClose(): Promise<void> {
    this.flushSync();
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    await new Promise<void>((resolve) => fsync(fd, () => close(fd, () => resolve())));
  }
}
