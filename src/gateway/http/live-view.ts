// /ui on the gateway's own listener: the page (static files, no secret in them, served to anyone
// the Host and Origin checks let through) and its data (/ui/state, and /ui/events, a stream of
// server-sent events), which ask for the key exactly as /mcp does. The streams are capped, cut
// when a reader falls too far behind, and ended as the gateway starts shutting down, so a page
// left open never holds the drain.
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson, sendText } from "./json-response.ts";

/** What the live view shows; the composition root passes the one src/telemetry/live-view builds. */
export interface LiveViewFeed {
  /** The page's file at `path` (/ui, /ui/app.js, …), if it is one. */
  page(path: string): { contentType: string; body: Buffer } | undefined;
  /** Everything at once, for /ui/state. */
  snapshot(): Promise<unknown>;
  /** Sends a snapshot, then every update, until the returned function is called. */
  open(send: (update: { event: string; data: unknown }) => void): Promise<() => void>;
}

/** Pages open at once; a tab more is answered 503 and told why. */
export const MAX_LIVE_VIEW_STREAMS = 16;
/** A comment line this often tells proxies and the page that the stream is alive. */
const HEARTBEAT_MS = 15_000;
/** A reader this far behind (the socket not taking what is written) is cut; its page reconnects to a fresh snapshot. */
const MAX_UNSENT_BYTES = 1 << 20;

const NO_SNIFFING = { "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store" };

/**
 * The page runs only its own script and style from this origin, talks only to it, and may not be
 * framed (clickjacking) or submit its form anywhere (the key would go into a URL).
 */
const PAGE_HEADERS = {
  ...NO_SNIFFING,
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

export class LiveViewRoutes {
  readonly #feed: LiveViewFeed;
  readonly #maxStreams: number;
  readonly #streams = new Set<ServerResponse>();
  #closed = false;

  constructor(feed: LiveViewFeed, maxStreams = MAX_LIVE_VIEW_STREAMS) {
    this.#feed = feed;
    this.#maxStreams = maxStreams;
  }

  /** Answers a request under /ui; `authorized` answers it with the refusal itself when the key is missing or wrong. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string, authorized: () => boolean): Promise<void> {
    if (path === "/ui/events" || path === "/ui/state") {
      if (!authorized()) return;
      if (req.method !== "GET") return sendJson(res, 405, { error: "method_not_allowed", message: `${path} answers GET only` }, { Allow: "GET" });
      if (path === "/ui/state") return sendJson(res, 200, await this.#feed.snapshot(), NO_SNIFFING);
      return this.#stream(res);
    }
    const file = this.#feed.page(path);
    if (!file) return sendText(res, 404, "404 page not found\n");
    if (req.method !== "GET" && req.method !== "HEAD")
      return sendJson(res, 405, { error: "method_not_allowed", message: `${path} answers GET only` }, { Allow: "GET, HEAD" });
    res.writeHead(200, { ...PAGE_HEADERS, "Content-Type": file.contentType, "Content-Length": file.body.length });
    res.end(req.method === "HEAD" ? undefined : file.body);
  }

  /** Ends every stream and refuses new ones: the gateway is shutting down. */
  closeStreams(): void {
    this.#closed = true;
    for (const res of this.#streams) res.end();
    this.#streams.clear();
  }

  async #stream(res: ServerResponse): Promise<void> {
    if (this.#closed) return sendJson(res, 503, { error: "Gateway is shutting down" });
    if (this.#streams.size >= this.#maxStreams) {
      return sendJson(res, 503, {
        error: "too_many_streams",
        message: `the live view serves at most ${this.#maxStreams} streams at once: close another page showing /ui, then reload this one`,
      });
    }
    this.#streams.add(res);
    res.writeHead(200, { ...NO_SNIFFING, "Content-Type": "text/event-stream; charset=utf-8", "X-Accel-Buffering": "no" });
    res.flushHeaders();
    const write = (text: string) => {
      if (res.writableEnded || res.destroyed) return;
      if (res.writableLength > MAX_UNSENT_BYTES) res.destroy();
      else res.write(text);
    };
    let stop: () => void = () => undefined;
    const heartbeat = setInterval(() => write(": alive\n\n"), HEARTBEAT_MS).unref();
    res.on("close", () => {
      clearInterval(heartbeat);
      this.#streams.delete(res);
      stop();
    });
    try {
      const unsubscribe = await this.#feed.open((update) => write(`event: ${update.event}\ndata: ${JSON.stringify(update.data)}\n\n`));
      if (res.writableEnded || res.destroyed) unsubscribe();
      else stop = unsubscribe;
    } catch {
      res.end();
    }
  }
}
