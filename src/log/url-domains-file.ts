// observed-url-domains.json (gateway.md §6.7): the domains of URLs seen in tool results, by
// server id, and in the arguments sent to write-sink servers, under "write-sink". Written as {}
// at start with mode 0600, then rewritten whole (atomically) whenever a new domain appears.
import { AtomicFile } from "./atomic-file.ts";

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class UrlDomainsFile {
  readonly #domains = new Map<string, Set<string>>();
  readonly #file: AtomicFile;

  /** Writes {} now; throws if the file cannot be written. */
  constructor(path: string, onError: (error: Error) => void) {
    this.#file = new AtomicFile(path, { mode: 0o600, initial: "{}", render: () => this.#render(), onError });
  }

  /** Adds domains under `key`; the file is rewritten only if one of them is new. */
  add(key: string, domains: Iterable<string>): void {
    let known = this.#domains.get(key);
    let grew = false;
    for (const domain of domains) {
      if (!known) this.#domains.set(key, (known = new Set()));
      if (!known.has(domain)) {
        known.add(domain);
        grew = true;
      }
    }
    if (grew) this.#file.changed();
  }

  flushed(): Promise<void> {
    return this.#file.flushed();
  }

  #render(): string {
    const entries = [...this.#domains.entries()].sort(([a], [b]) => byCodeUnit(a, b)).map(([key, domains]) => [key, [...domains].sort()]);
    return JSON.stringify(Object.fromEntries(entries), null, 2);
  }
}
