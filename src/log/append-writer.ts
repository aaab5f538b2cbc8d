// An append-only log file written once per event-loop turn: lines queue in memory, and a single
// synchronous append at the end of the turn (setImmediate) carries all of them. Nothing is ever in
// flight in the thread pool, so lines land in the order they were logged, and a synchronous flush
// at process exit is complete. Data reaches the disk with fsync only on close.
import { close, fsync, openSync, writeSync } from "node:fs";

export class AppendWriter {
  readonly path: string;
  #fd: number | undefined;
  #queue: string[] = [];
  #scheduled = false;
  #onError: (error: Error) => void;
  #closed: Promise<void> | undefined;

  /** Opens (creating with `mode`) for appending, or truncating first with `truncate`; throws if it cannot. */
  constructor(path: string, options: { mode: number; truncate?: boolean; onError: (error: Error) => void }) {
    this.path = path;
    this.#fd = openSync(path, options.truncate === true ? "w" : "a", options.mode);
    this.#onError = options.onError;
  }

  get isOpen(): boolean {
    return this.#fd !== undefined;
  }

  write(text: string): void {
    if (this.#fd === undefined) return;
    this.#queue.push(text);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.flushSync();
    });
  }

  /** Appends everything queued, now. */
  flushSync(): void {
    const fd = this.#fd;
    if (fd === undefined || this.#queue.length === 0) return;
    const chunk = Buffer.from(this.#queue.join(""));
    this.#queue = [];
    try {
      for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
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
