// The latest DIFC decisions, kept for the live view: a fixed ring, so what one decision costs the
// call that made it is a slot written and, only while someone watches, a row handed to each watcher.
import { eventObserver, type DecisionEvent, type Observer } from "../../shared/index.ts";

/** One decision as the live view shows it. */
export interface DecisionRow {
  /** Its place among all decisions since the gateway started: a page that has a decision drops it when it comes again. */
  seq: number;
  /** When it was made, in milliseconds since the epoch. */
  time: number;
  server: string;
  /** The credential's digest, never the credential. */
  agent: string;
  tool: string;
  method: string;
  mode: string;
  decision: DecisionEvent["decision"];
  phase: DecisionEvent["phase"];
  reason?: string;
  filtered?: number;
}

interface Slot {
  seq: number;
  time: number;
  event: DecisionEvent;
}

/** What a watcher of the log is told: each decision, and that something else happened (a guard failed, a backend restarted). */
export interface DecisionWatcher {
  decision(row: DecisionRow): void;
  other(): void;
}

/** How many decisions the live view keeps unless told otherwise. */
export const DEFAULT_DECISIONS_KEPT = 200;

export class DecisionLog {
  /** What the gateway reports to: events alone, so no call's steps are wrapped for it. */
  readonly observer: Observer;
  readonly #slots: (Slot | undefined)[];
  readonly #clock: () => number;
  readonly #watchers = new Set<DecisionWatcher>();
  #seq = 0;

  constructor(capacity = DEFAULT_DECISIONS_KEPT, clock: () => number = Date.now) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`the live view keeps at least one decision; ${capacity} was asked`);
    this.#slots = new Array<Slot | undefined>(capacity);
    this.#clock = clock;
    this.observer = eventObserver((event) => {
      if (event.kind === "decision") this.#record(event);
      else for (const watcher of this.#watchers) watcher.other();
    });
  }

  /** How many decisions are kept. */
  get capacity(): number {
    return this.#slots.length;
  }

  #record(event: DecisionEvent): void {
    const slot: Slot = { seq: ++this.#seq, time: this.#clock(), event };
    this.#slots[(slot.seq - 1) % this.#slots.length] = slot;
    if (this.#watchers.size === 0) return;
    const row = rowOf(slot);
    for (const watcher of this.#watchers) watcher.decision(row);
  }

  /** The decisions kept, oldest first. */
  latest(): DecisionRow[] {
    const rows: DecisionRow[] = [];
    const oldest = Math.max(1, this.#seq - this.#slots.length + 1);
    for (let seq = oldest; seq <= this.#seq; seq++) rows.push(rowOf(this.#slots[(seq - 1) % this.#slots.length]!));
    return rows;
  }

  /** Tells `watcher` of every event from now on, until the returned function is called. */
  watch(watcher: DecisionWatcher): () => void {
    const own = { ...watcher };
    this.#watchers.add(own);
    return () => this.#watchers.delete(own);
  }
}

function rowOf({ seq, time, event }: Slot): DecisionRow {
  return {
    seq,
    time,
    server: event.server,
    agent: event.agent,
    tool: event.tool,
    method: event.method,
    mode: event.mode,
    decision: event.decision,
    phase: event.phase,
    ...(event.reason !== undefined ? { reason: event.reason } : {}),
    ...(event.filtered !== undefined ? { filtered: event.filtered } : {}),
  };
}
