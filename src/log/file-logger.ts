// The GatewayLogger over a log directory, with the reference's files and formats (gateway.md §6).
// A file that cannot be opened or written never stops the gateway: the unified log falls back to
// stderr, a per-server log is skipped, and the other files are disabled, each with one warning.
// A log directory someone else could have prepared (not ours, writable by others, a symlink) is
// not used at all: one warning, and the unified log goes to stderr.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { AppendWriter } from "./append-writer.ts";
import { debugNamespaceMatcher, formatDebugLine } from "./debug-namespaces.ts";
import { escapeLineBreakers } from "./json-line.ts";
import { formatConsoleLine, formatTextLine } from "./line-format.ts";
import { MARKDOWN_FOOTER, MARKDOWN_HEADER, formatMarkdownEntry, formatRpcMarkdownEntry } from "./markdown-format.ts";
import { formatDifcFilteredRecord, formatRpcRecord, formatUnrecognizedEndpoint } from "./rpc-format.ts";
import { Sanitizer } from "./sanitize.ts";
import { ToolsCatalogFile } from "./tools-file.ts";
import { UrlDomainsFile } from "./url-domains-file.ts";
import type { DifcFilteredRecord, GatewayLogger, LogLevel, LogPayloads, RpcLogRecord } from "./types.ts";
import { errorText, unsafeDirectoryReason } from "../shared/index.ts";

const LOG_FILE_NAMES = {
  unified: "mcp-gateway.log",
  proxy: "proxy.log",
  markdown: "gateway.md",
  rpc: "rpc-messages.jsonl",
  tools: "tools.json",
  urlDomains: "observed-url-domains.json",
} as const;

export interface FileLoggerOptions {
  dir: string;
  /** Receives warnings about unusable files, and the unified log when its file is unusable. */
  stderr: (text: string) => void;
  /** The clock of every timestamp; tests fix it. */
  now?: () => Date;
  /** Values to redact from the start (see GatewayLogger.addSecret). */
  secrets?: readonly string[];
  /** The `DEBUG` namespace patterns; none enabled when absent. */
  debug?: string;
  /** ANSI colours on debug lines (the caller checks for a terminal and DEBUG_COLORS). */
  debugColors?: boolean;
  /** `redacted` (the default) logs sensitive RPC payloads as a hash; `all` logs them whole. */
  logPayloads?: LogPayloads;
  /**
   * The proxy's files (gateway.md §6.1): proxy.log instead of mcp-gateway.log, and no per-server
   * logs, tools.json or observed-url-domains.json, which belong to the gateway.
   */
  proxy?: boolean;
}

// Log files can hold what agents read (and may be uploaded as CI artifacts): only their owner reads them.
const LOG_FILE_MODE = 0o600;
const LOG_DIR_MODE = 0o700;

// A server id becomes a file name, so it must not be able to name another path.
const SAFE_FILE_STEM = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A record logged but not yet formatted, with the time it was logged at. */
type PendingRecord = { kind: "rpc"; record: RpcLogRecord; date: Date } | { kind: "difc"; record: DifcFilteredRecord; date: Date };

export class FileLogger implements GatewayLogger {
  readonly #dir: string;
  readonly #stderr: (text: string) => void;
  readonly #now: () => Date;
  readonly #sanitizer = new Sanitizer();
  readonly #logPayloads: LogPayloads;
  readonly #dirUsable: boolean;
  /** The directory exists but is not safe to write in: nothing is opened there. */
  #dirRefused = false;
  readonly #proxy: boolean;
  #unified: AppendWriter | undefined;
  #markdown: AppendWriter | undefined;
  #markdownStarted = false;
  #rpc: AppendWriter | undefined;
  #tools: ToolsCatalogFile | undefined;
  #urlDomains: UrlDomainsFile | undefined;
  /** undefined = not opened yet; null = unusable, skipped. */
  readonly #servers = new Map<string, AppendWriter | null>();
  #closed: Promise<void> | undefined;
  readonly #debugEnabled: (namespace: string) => boolean;
  readonly #debugColors: boolean;
  /** When each debug namespace last wrote, for the elapsed time on its lines. */
  readonly #debugLast = new Map<string, number>();
  readonly #flushOnExit = () => this.#flushSync();
  /**
   * RPC and difc_filtered records logged this event-loop turn, formatted at its end: an answer is
   * written before its call's records are built (a filtered answer can log thousands). Any other
   * record writes them first, so the files keep their order.
   */
  #pending: PendingRecord[] = [];

  constructor(options: FileLoggerOptions) {
    this.#dir = options.dir;
    this.#stderr = options.stderr;
    this.#now = options.now ?? (() => new Date());
    for (const secret of options.secrets ?? []) this.#sanitizer.addSecret(secret);
    this.#debugEnabled = debugNamespaceMatcher(options.debug);
    this.#debugColors = options.debugColors === true;
    this.#logPayloads = options.logPayloads ?? "redacted";
    this.#proxy = options.proxy === true;
    const unsafe = this.#makeDir();
    this.#dirUsable = unsafe === undefined;
    if (unsafe !== undefined && unsafe !== "") {
      this.#dirRefused = true;
      const what = this.#proxy ? "proxy.log" : "mcp-gateway.log";
      this.#console(`WARNING: Refusing log directory ${this.#dir}: ${unsafe}; logging to stderr instead of ${what}, and writing no other log file`);
    }

    const unifiedPath = join(this.#dir, this.#proxy ? LOG_FILE_NAMES.proxy : LOG_FILE_NAMES.unified);
    this.#unified = this.#open(unifiedPath, { mode: LOG_FILE_MODE }, (error) => {
      this.#console(`WARNING: Failed to initialize log file: ${errorText(error)}`);
      this.#console("WARNING: Falling back to stderr for logging");
    });
    if (this.#unified) this.#console(`Logging to file: ${unifiedPath}`);
    if (this.#dirUsable && !this.#proxy) this.#console(`Initialized per-serverID logging in directory: ${this.#dir}`);
    // gateway.md is silently disabled when unusable, as in the reference.
    this.#markdown = this.#open(join(this.#dir, LOG_FILE_NAMES.markdown), { mode: LOG_FILE_MODE, truncate: true }, () => undefined);
    this.#rpc = this.#open(join(this.#dir, LOG_FILE_NAMES.rpc), { mode: LOG_FILE_MODE }, (error) =>
      this.#console(`Warning: Failed to initialize JSONL logger: ${errorText(error)}`),
    );
    if (!this.#proxy) {
      this.#tools = this.#openRewritten(LOG_FILE_NAMES.tools, "Tools", "tools", (path, onError) => new ToolsCatalogFile(path, onError));
      this.#urlDomains = this.#openRewritten(
        LOG_FILE_NAMES.urlDomains,
        "Observed URL domains",
        "observed URL domains",
        (path, onError) => new UrlDomainsFile(path, onError),
      );
    }
    process.on("exit", this.#flushOnExit);
  }

  log(level: LogLevel, category: string, message: string, options?: { markdown?: boolean }): void {
    this.#writePending();
    const clean = this.#sanitizer.text(message);
    this.#writeUnified(formatTextLine(this.#now(), level, category, clean));
    if (options?.markdown === true) this.#writeMarkdown(formatMarkdownEntry(level, category, clean));
  }

  server(serverId: string, level: LogLevel, category: string, message: string): void {
    this.#writePending();
    this.#writeServerLine(serverId, this.#now(), level, category, message);
  }

  rpc(record: RpcLogRecord): void {
    this.#defer({ kind: "rpc", record, date: this.#now() });
  }

  difcFiltered(record: DifcFilteredRecord): void {
    this.#defer({ kind: "difc", record, date: this.#now() });
  }

  #defer(entry: PendingRecord): void {
    if (this.#pending.length === 0) setImmediate(() => this.#writePending());
    this.#pending.push(entry);
  }

  #writePending(): void {
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    for (const entry of pending) {
      if (entry.kind === "difc") {
        const formatted = formatDifcFilteredRecord(entry.record, entry.date, this.#sanitizer);
        this.#writeRpcLine(formatted.jsonl);
        this.#writeServerLine(entry.record.serverId, entry.date, "info", "difc", formatted.text);
        continue;
      }
      const formatted = formatRpcRecord(entry.record, entry.date, this.#sanitizer, this.#logPayloads);
      this.#writeRpcLine(formatted.jsonl);
      this.#writeUnified(formatTextLine(entry.date, "debug", "rpc", formatted.text));
      this.#writeMarkdown(formatRpcMarkdownEntry(formatted.markdown));
    }
  }

  #writeServerLine(serverId: string, date: Date, level: LogLevel, category: string, message: string): void {
    const clean = this.#sanitizer.text(message);
    this.#serverWriter(serverId)?.write(formatTextLine(date, level, category, clean));
    this.#writeUnified(formatTextLine(date, level, category, `[${serverId}] ${clean}`));
  }

  unrecognizedEndpoint(method: string, path: string): void {
    this.#writePending();
    const formatted = formatUnrecognizedEndpoint(method, path, this.#now(), this.#sanitizer);
    this.#writeRpcLine(formatted.jsonl);
    this.log("warn", "proxy", formatted.text, { markdown: true });
  }

  debug(namespace: string, message: string | (() => string)): void {
    if (!this.#debugEnabled(namespace)) return;
    this.#writePending();
    const clean = this.#sanitizer.text(typeof message === "function" ? message() : message);
    const date = this.#now();
    const last = this.#debugLast.get(namespace) ?? date.getTime();
    this.#debugLast.set(namespace, date.getTime());
    this.#stderr(formatDebugLine(namespace, clean, date.getTime() - last, this.#debugColors));
    this.#writeUnified(formatTextLine(date, "debug", namespace, clean));
  }

  tools(serverId: string, tools: ReadonlyArray<{ name: string; description?: string }>): void {
    this.#tools?.set(serverId, tools);
  }

  observedUrlDomains(key: string, domains: readonly string[]): void {
    this.#urlDomains?.add(key, domains);
  }

  addSecret(value: string): void {
    this.#sanitizer.addSecret(value);
  }

  /** Resolves once everything logged so far is in the files (not necessarily on disk). */
  async flush(): Promise<void> {
    this.#writePending();
    for (const writer of this.#writers()) writer?.flushSync();
    await Promise.all([this.#tools?.flushed(), this.#urlDomains?.flushed()]);
  }

  close(): Promise<void> {
    this.#closed ??= this.#closeAll();
    return this.#closed;
  }

  async #closeAll(): Promise<void> {
    this.#writePending();
    if (this.#markdownStarted) this.#markdown?.write(MARKDOWN_FOOTER);
    await Promise.all([...this.#writers().map((writer) => writer?.close()), this.#tools?.flushed(), this.#urlDomains?.flushed()]);
    process.off("exit", this.#flushOnExit);
  }

  #writers(): Array<AppendWriter | null | undefined> {
    return [this.#unified, this.#markdown, this.#rpc, ...this.#servers.values()];
  }

  /** At process exit without close: write what is queued, and end gateway.md as close would. */
  #flushSync(): void {
    this.#writePending();
    if (this.#markdownStarted && this.#closed === undefined) this.#markdown?.write(MARKDOWN_FOOTER);
    for (const writer of this.#writers()) writer?.flushSync();
  }

  /**
   * Creates the directory, or checks the one that exists: undefined when usable, "" when it could
   * not be created (each file then reports its own failure), or why it is refused and how to fix it.
   */
  #makeDir(): string | undefined {
    try {
      mkdirSync(this.#dir, { recursive: true, mode: LOG_DIR_MODE });
    } catch {
      return "";
    }
    try {
      return unsafeDirectoryReason(this.#dir, "--log-dir");
    } catch (error) {
      return `it cannot be examined (${errorText(error)})`;
    }
  }

  #open(path: string, options: { mode: number; truncate?: boolean }, onInitFailure: (error: unknown) => void): AppendWriter | undefined {
    if (this.#dirRefused) return undefined;
    try {
      return new AppendWriter(path, { ...options, onError: (error) => this.#writeFailed(path, error) });
    } catch (error) {
      onInitFailure(error);
      return undefined;
    }
  }

  /** A file rewritten whole (tools.json, observed-url-domains.json), announced on stderr as the reference does. */
  #openRewritten<T>(name: string, title: string, label: string, open: (path: string, onError: (error: Error) => void) => T): T | undefined {
    if (this.#dirRefused) return undefined;
    const path = join(this.#dir, name);
    try {
      const file = open(path, (error) => this.#writeFailed(path, error));
      this.#console(`${title} logging to file: ${path}`);
      return file;
    } catch (error) {
      this.#console(`Warning: Failed to initialize ${label} logger: ${errorText(error)}`);
      return undefined;
    }
  }

  #serverWriter(serverId: string): AppendWriter | undefined {
    const known = this.#servers.get(serverId);
    if (known !== undefined) return known ?? undefined;
    let writer: AppendWriter | null = null;
    if (this.#dirUsable && !this.#proxy && SAFE_FILE_STEM.test(serverId)) {
      writer =
        this.#open(join(this.#dir, `${serverId}.log`), { mode: LOG_FILE_MODE }, (error) =>
          this.#console(`Warning: Failed to initialize server log for ${serverId}: ${errorText(error)}`),
        ) ?? null;
    }
    this.#servers.set(serverId, writer);
    return writer ?? undefined;
  }

  #writeUnified(line: string): void {
    if (this.#unified?.isOpen === true) this.#unified.write(line);
    else if (this.#closed === undefined) this.#stderr(line);
  }

  #writeRpcLine(jsonl: string): void {
    this.#rpc?.write(`${escapeLineBreakers(jsonl)}\n`);
  }

  #writeMarkdown(entry: string): void {
    if (this.#markdown?.isOpen !== true || this.#closed !== undefined) return;
    if (!this.#markdownStarted) {
      this.#markdownStarted = true;
      this.#markdown.write(MARKDOWN_HEADER);
    }
    this.#markdown.write(entry);
  }

  #writeFailed(path: string, error: Error): void {
    const fallback = path.endsWith(LOG_FILE_NAMES.unified) || path.endsWith(LOG_FILE_NAMES.proxy) ? "; logging to stderr instead" : "";
    this.#console(`WARNING: Failed to write ${path}: ${error.message}${fallback}`);
  }

  #console(message: string): void {
    this.#stderr(formatConsoleLine(this.#now(), message));
  }
}

/** Opens the log files in `dir` (creating it); never throws for an unusable directory. */
export function openFileLogger(options: FileLoggerOptions): FileLogger {
  return new FileLogger(options);
}
