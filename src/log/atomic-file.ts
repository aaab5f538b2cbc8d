// A small JSON file that is rewritten whole (tools.json, observed-url-domains.json): each write
// goes to `<path>.tmp` and is renamed over the file, so a reader sees the previous content or
// the new one, never half of one. Changes that arrive during a write are coalesced into the next.
import { chmodSync, writeFileSync } from "node:fs";
import { chmod, rename, writeFile } from "node:fs/promises";

export class AtomicFile {
  readonly path: string;
  readonly #mode: number;
  readonly #render: () => string;
  readonly #onError: (error: Error) => void;
  #dirty = false;
  #writing: Promise<void> | undefined;
  #failed = false;

  /** Writes `initial` now (throws if the file cannot be written); `render` gives the content later. */
  constructor(path: string, options: { mode: number; initial: string; render: () => string; onError: (error: Error) => void }) {
    this.path = path;
    this.#mode = options.mode;
    this.#render = options.render;
    this.#onError = options.onError;
    writeFileSync(path, options.initial, { mode: options.mode });
    chmodSyncQuiet(path, options.mode);
  }

  /** The content changed: rewrite the file (once more, if a write is under way). */
  changed(): void {
    if (this.#failed) return;
    this.#dirty = true;
    this.#writing ??= this.#writeUntilCurrent();
  }

  /** Resolves once the file holds every change made so far. */
  async flushed(): Promise<void> {
    await this.#writing;
  }

  async #writeUntilCurrent(): Promise<void> {
    try {
      while (this.#dirty && !this.#failed) {
        this.#dirty = false;
        await this.#rewrite();
      }
    } finally {
      this.#writing = undefined;
    }
  }

  async #rewrite(): Promise<void> {
    const temporary = `${this.path}.tmp`;
    try {
      await writeFile(temporary, this.#render(), { mode: this.#mode });
      // A leftover temporary file keeps its old mode through writeFile.
      await chmod(temporary, this.#mode);
      await rename(temporary, this.path);
    } catch (error) {
      this.#failed = true;
      this.#onError(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

/** An existing file keeps its old mode through writeFileSync; a file we may not chmod keeps it. */
function chmodSyncQuiet(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch {
    // Not our file to chmod (another owner): the content is still ours to write.
  }
}
