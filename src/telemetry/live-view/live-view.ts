// What the live view at /ui shows, and how it moves: a snapshot (the servers, the agents with
// their labels and budgets, the latest decisions) for each page that opens the stream, then each
// decision as it is made, and the servers and agents again shortly after decisions (labels and
// budgets move with them) and every few seconds (a backend's health moves on its own). Nothing is
// read for the view while no page watches.
import { errorText } from "../../shared/index.ts";
import type { DecisionLog, DecisionRow } from "./decision-log.ts";
import { pageFile, type PageFile } from "./page.ts";

/** A backend as the view shows it: what /health says of it, and how many tools it offers. */
export interface ServerView {
  id: string;
  status: string;
  tools: number;
  /** Why it is in `error`. */
  error?: string;
  guard?: { name: string; state: string };
}

/** One budget of a server's allow-only.tool-call-limits, as one agent stands with it. */
export interface BudgetView {
  server: string;
  tool: string;
  used: number;
  limit: number;
}

/** An agent by the digest of its credential, with the labels /reflect shows. */
export interface AgentView {
  agent: string;
  secrecy: string[];
  integrity: string[];
  budgets: BudgetView[];
}

/** Where the view reads the servers and agents from; the composition root answers from what /health and /reflect use. */
export interface LiveViewSources {
  servers(): ServerView[];
  /** The first `limit` agents, and how many there are in all. */
  agents(limit: number): Promise<{ shown: AgentView[]; total: number }>;
  /**
   * Has the guards' failures and recoveries reported to the decision log until the returned
   * function is called: a guard's state in servers() moves with them, and no decision follows a
   * call its guard failed.
   */
  reportGuardEvents(): () => void;
}

/** The servers and agents at one moment. */
export interface LiveState {
  time: number;
  servers: ServerView[];
  agents: AgentView[];
  /** How many agents there are beyond those shown. */
  agentsNotShown: number;
  /** Why the agents could not be read (the shared DIFC state store did not answer). */
  agentsError?: string;
}

/** What a page is sent first. */
export interface LiveSnapshot extends LiveState {
  /** The decisions kept, oldest first. */
  decisions: DecisionRow[];
  /** How many decisions the view keeps. */
  decisionsKept: number;
}

export type LiveUpdate = { event: "snapshot"; data: LiveSnapshot } | { event: "decision"; data: DecisionRow } | { event: "state"; data: LiveState };

/** How many agents a snapshot shows. */
const MAX_AGENTS_SHOWN = 100;
/** How often the servers and agents are read again while a page watches: a backend's health moves on its own. */
const REFRESH_MS = 5000;
/** How long after a decision they are read again: the labels it changes are stored just after it is reported. */
const SETTLE_MS = 250;

export class LiveView {
  readonly #sources: LiveViewSources;
  readonly #log: DecisionLog;
  readonly #watchers = new Set<(update: LiveUpdate) => void>();
  #refreshTimer: NodeJS.Timeout | undefined;
  #settleTimer: NodeJS.Timeout | undefined;
  #refreshing = false;
  #refreshAgain = false;
  #stopWatchingDecisions: (() => void) | undefined;
  #stopGuardEvents: (() => void) | undefined;

  /** `log` is the one the gateway reports its decisions to; `sources` are read only while a page watches. */
  constructor(log: DecisionLog, sources: LiveViewSources) {
    this.#log = log;
    this.#sources = sources;
  }

  /** The page's file at `path` under /ui, if it is one. */
  page(path: string): PageFile | undefined {
    return pageFile(path);
  }

  async snapshot(): Promise<LiveSnapshot> {
    const state = await this.#state();
    return { ...state, decisions: this.#log.latest(), decisionsKept: this.#log.capacity };
  }

  /**
   * Sends the snapshot, then every update until the returned function is called. A decision made
   * while the snapshot was being read follows it, so none falls between the two.
   */
  async open(send: (update: LiveUpdate) => void): Promise<() => void> {
    const snapshot = await this.snapshot();
    send({ event: "snapshot", data: snapshot });
    const sent = snapshot.decisions.at(-1)?.seq ?? 0;
    for (const row of this.#log.latest()) if (row.seq > sent) send({ event: "decision", data: row });
    this.#watchers.add(send);
    if (this.#watchers.size === 1) this.#startWatching();
    return () => {
      if (this.#watchers.delete(send) && this.#watchers.size === 0) this.#stopWatching();
    };
  }

  #startWatching(): void {
    this.#stopWatchingDecisions = this.#log.watch({
      decision: (row) => {
        for (const send of this.#watchers) send({ event: "decision", data: row });
        this.#refreshSoon();
      },
      other: () => this.#refreshSoon(),
    });
    this.#stopGuardEvents = this.#sources.reportGuardEvents();
    this.#refreshTimer = setInterval(() => void this.#refresh(), REFRESH_MS).unref();
  }

  #stopWatching(): void {
    this.#stopWatchingDecisions?.();
    this.#stopWatchingDecisions = undefined;
    this.#stopGuardEvents?.();
    this.#stopGuardEvents = undefined;
    clearInterval(this.#refreshTimer);
    clearTimeout(this.#settleTimer);
    this.#settleTimer = undefined;
  }

  #refreshSoon(): void {
    this.#settleTimer ??= setTimeout(() => {
      this.#settleTimer = undefined;
      void this.#refresh();
    }, SETTLE_MS).unref();
  }

  /** Reads the servers and agents once for every watcher; a refresh asked for while one runs runs once after it. */
  async #refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return;
    }
    this.#refreshing = true;
    try {
      const state = await this.#state();
      for (const send of this.#watchers) send({ event: "state", data: state });
    } catch {
      // The next refresh tries again; the pages keep what they have until then.
    } finally {
      this.#refreshing = false;
    }
    if (this.#refreshAgain && this.#watchers.size > 0) {
      this.#refreshAgain = false;
      await this.#refresh();
    }
  }

  async #state(): Promise<LiveState> {
    const time = Date.now();
    const servers = this.#sources.servers();
    try {
      const { shown, total } = await this.#sources.agents(MAX_AGENTS_SHOWN);
      return { time, servers, agents: shown, agentsNotShown: total - shown.length };
    } catch (error) {
      return { time, servers, agents: [], agentsNotShown: 0, agentsError: errorText(error) };
    }
  }
}
