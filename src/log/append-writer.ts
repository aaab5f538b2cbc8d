// An append-only file that never blocks the event loop per line: lines queue in memory and one
// asynchronous write at a time carries everything queued since the previous write began. Data
// reaches the disk with fsync only on close; `flushSync` exists for the process-exit hook.
import { close, fsync, openSync, write, writeSync } from "node:fs";

export class AppendWriter {
  readonly path: string;
  #fd: number | undefined;
  #queue: string[] = [];
  #writing = false;
  #whenIdle: Array<() => void> = [];
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
    if (!this.#writing) this.#writeQueued(this.#fd);
  }

  /** Writes what is queued now, synchronously; a write already in flight may land after it. */
  flushSync(): void {
    if (this.#fd === undefined || this.#queue.length === 0) return;
    const text = this.#queue.join("");
    this.#queue = [];
    try {
      writeSync(this.#fd, text);
    } catch {
      // The process is exiting; there is nowhere left to report this.
    }
  }

  /** Resolves once every line written so far has been handed to the operating system. */
  async flushed(): Promise<void> {
    while (this.#writing) await this.#nextIdle();
  }

  /** Resolves once everything written so far is on disk and the file is closed; safe to call twice. */
  close(): Promise<void> {
    this.#closed ??= this.#closeWhenIdle();
    return this.#closed;
  }

  async #closeWhenIdle(): Promise<void> {
    // A line written while waiting starts another write, so wait until none is in flight, and
    // take the descriptor in the same turn as the last check.
    while (this.#writing) await this.#nextIdle();
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    await new Promise<void>((resolve) => fsync(fd, () => close(fd, () => resolve())));
  }

  #nextIdle(): Promise<void> {
    return new Promise<void>((resolve) => this.#whenIdle.push(resolve));
  }

  #writeQueued(fd: number): void {
    if (this.#queue.length === 0 || this.#fd !== fd) {
      this.#writing = false;
      for (const resolve of this.#whenIdle.splice(0)) resolve();
      return;
    }
    this.#writing = true;
    const chunk = Buffer.from(this.#queue.join(""));
    this.#queue = [];
    this.#writeChunk(fd, chunk, 0);
  }

  #writeChunk(fd: number, chunk: Buffer, offset: number): void {
    write(fd, chunk, offset, chunk.length - offset, null, (error, written) => {
      if (error) return this.#fail(fd, error);
      if (offset + written < chunk.length) return this.#writeChunk(fd, chunk, offset + written);
      this.#writeQueued(fd);
    });
  }

  #fail(fd: number, error: Error): void {
    this.#fd = undefined;
    this.#queue = [];
    close(fd, () => undefined);
    this.#onError(error);
    this.#writeQueued(fd);
  }
}
