// tools.json: the catalogue of allow-listed tools per server (gateway.md §6.6). Emptied at start,
// then rewritten whole (atomically) after each registration.
import { AtomicFile } from "./atomic-file.ts";

export interface CatalogTool {
  name: string;
  description?: string;
}

export class ToolsCatalogFile {
  readonly #servers = new Map<string, CatalogTool[]>();
  readonly #file: AtomicFile;

  /** Truncates the file now; throws if it cannot be written. */
  constructor(path: string, onError: (error: Error) => void) {
    this.#file = new AtomicFile(path, { mode: 0o600, initial: "", render: () => this.#render(), onError });
  }

  set(serverId: string, tools: ReadonlyArray<CatalogTool>): void {
    this.#servers.set(
      serverId,
      tools.map((tool) => ({ name: tool.name, description: tool.description ?? "" })),
    );
    this.#file.changed();
  }

  /** Resolves once the file holds every registration made so far. */
  flushed(): Promise<void> {
    return this.#file.flushed();
  }

  #render(): string {
    // Server ids sorted, as the reference's JSON encoder orders map keys.
    const servers = Object.fromEntries([...this.#servers.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return JSON.stringify({ servers }, null, 2);
  }
}
