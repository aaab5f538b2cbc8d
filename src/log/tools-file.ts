// tools.json: the catalogue of allow-listed tools per server (gateway.md §6.6). Emptied at start,
// then rewritten whole after each registration through a temporary file and a rename, so a reader
// sees either the previous catalogue or the new one, never half of one.
import { writeFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";

export interface CatalogTool {
  name: string;
  description?: string;
}

export class ToolsCatalogFile {
  readonly path: string;
  #servers = new Map<string, CatalogTool[]>();
  #dirty = false;
  #writing: Promise<void> | undefined;
  #failed = false;
  #onError: (error: Error) => void;

  /** Truncates the file now; throws if it cannot be written. */
  constructor(path: string, onError: (error: Error) => void) {
    this.path = path;
    this.#onError = onError;
    writeFileSync(path, "", { mode: 0o644 });
  }

  set(serverId: string, tools: ReadonlyArray<CatalogTool>): void {
    if (this.#failed) return;
    this.#servers.set(serverId, tools.map((tool) => ({ name: tool.name, description: tool.description ?? "" })));
    this.#dirty = true;
    this.#writing ??= this.#writeUntilCurrent();
  }

  /** Resolves once the file holds every registration made so far. */
  async flushed(): Promise<void> {
    await this.#writing;
  }

  // Registrations that arrive during a write are coalesced into the next one.
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
    // Server ids sorted, as the reference's JSON encoder orders map keys.
    const servers = Object.fromEntries([...this.#servers.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const temporary = `${this.path}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify({ servers }, null, 2), { mode: 0o644 });
      await rename(temporary, this.path);
    } catch (error) {
      this.#failed = true;
      this.#onError(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
