// A small JSON file that is rewritten whole (tools.json, observed-url-domains.json): each write
// goes to `<path>.tmp` and is renamed over the file, so a reader sees the previous content or
// the new one, never half of one. Changes that arrive during a write are coalesced into the next.
// Neither the file nor its temporary is ever opened through a symlink (see open-log-file.ts).
import { closeSync, constants, fchmodSync, writeSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { escapeLineBreakers } from "./json-line.ts";
import { openLogFileSync } from "./open-log-file.ts";

const CREATE_ONLY = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

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
    const fd = openLogFileSync(path, "truncate", options.mode);
    try {
      fchmodQuiet(fd, options.mode);
      writeSync(fd, options.initial);
    } finally {
      closeSync(fd);
    }
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
      // A leftover temporary (or a link planted in its name) is removed, not written through:
      // the temporary is always a file this write creates.
      await rm(temporary, { force: true });
      const handle = await open(temporary, CREATE_ONLY, this.#mode);
      try {
        // The umask may have narrowed the mode further than ours.
        await handle.chmod(this.#mode);
        await handle.writeFile(escapeLineBreakers(this.#render()));
      } finally {
        await handle.close();
      }
      // rename replaces a symlink at `path` itself, never its target.
      await rename(temporary, this.path);
    } catch (error) {
      this.#failed = true;
      this.#onError(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

/** An existing file keeps its old mode through open; a file we may not chmod keeps it. */
function fchmodQuiet(fd: number, mode: number): void {
  try {
    fchmodSync(fd, mode);
  } catch {
    // Not our file to chmod (another owner): the content is still ours to write.
  }
}
