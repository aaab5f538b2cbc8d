import { createInterface } from "node:readline";
import { serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { GatewayLogger } from "../log/index.ts";
import { EARLY_INITIALIZE_ID, type EarlyProcess } from "./early-process.ts";
import type { BoundedMessageReader } from "./message-reader.ts";
import { logServerStderr, messageReader, reportLaunchLine } from "./stdio-transport.ts";

/** How long close() waits for the process after ending its stdin, and again after SIGTERM. */
const EXIT_WAIT_MS = 2000;

/**
 * The MCP stdio transport over a process spawned before the SDK was loaded (see EarlyProcess):
 * newline-delimited JSON-RPC on its stdin and stdout, stderr to the server's log, as the SDK's
 * StdioClientTransport does for a process it spawns itself. start() has nothing left to do.
 */
export class AdoptedProcessTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  readonly #early: EarlyProcess;
  readonly #readBuffer: BoundedMessageReader;
  #closeReported = false;
  /**
   * The initialize sent at spawn (EarlyProcess): its answer, once read, and the id of the Client's
   * own initialize, once sent; the Client's request is answered with it instead of being written.
   * Undefined when none was sent, once the Client has its answer, or when it asked with other params.
   */
  #earlyInitialize: { answer?: JSONRPCMessage; clientId?: string | number } | undefined;

  /** Takes over the process's output; call it only after `early.spawned` has resolved. */
  constructor(early: EarlyProcess, logger: GatewayLogger, stderrLine: (line: string) => void, maxMessageBytes: number) {
    this.#early = early;
    const { child, server } = early;
    this.#readBuffer = messageReader(server, logger, maxMessageBytes);
    if (early.initializeParams) this.#earlyInitialize = {};
    for (const line of early.launchLines) reportLaunchLine(server, logger, stderrLine, line);
    if (child.stderr) logServerStderr(server, logger, createInterface({ input: child.stderr }), this);
    child.stdin?.on("error", (error) => this.onerror?.(error));
    child.stdout?.on("error", (error) => this.onerror?.(error));
    child.stdout?.on("data", (chunk: Buffer) => {
      try {
        this.#readBuffer.append(chunk);
        this.#deliver();
      } catch (error) {
        this.onerror?.(error as Error);
        void this.close();
      }
    });
    child.once("close", () => this.#reportClose());
  }

  get pid(): number | null {
    return this.#early.child.pid ?? null;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.#answersFromEarlyInitialize(message)) return Promise.resolve();
    const stdin = this.#early.child.stdin;
    // A process that died before it was adopted: the connection closes, as it would had the
    // gateway spawned the process just now and seen it exit.
    if (this.#early.closed || !stdin) {
      setImmediate(() => this.#reportClose());
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once("drain", resolve);
    });
  }

  /** Ends stdin and waits for the process, then SIGTERM, then SIGKILL, as the SDK's transport does. */
  async close(): Promise<void> {
    const { child } = this.#early;
    const exited = new Promise<void>((resolve) => (this.#early.closed ? resolve() : child.once("close", () => resolve())));
    const waitForExit = () => Promise.race([exited, new Promise((resolve) => setTimeout(resolve, EXIT_WAIT_MS).unref())]);
    child.stdin?.end();
    await waitForExit();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await waitForExit();
    }
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    this.#readBuffer.clear();
    this.#reportClose();
  }

  /** Whether `message` is the Client's initialize, answered (now or when it comes) from the early one's answer. */
  #answersFromEarlyInitialize(message: JSONRPCMessage): boolean {
    const early = this.#earlyInitialize;
    if (!early || !("method" in message) || message.method !== "initialize" || !("id" in message)) return false;
    if (JSON.stringify(message.params) !== JSON.stringify(this.#early.initializeParams)) {
      // Not the request the server was sent: it gets this one too, and the early answer is dropped.
      this.#earlyInitialize = undefined;
      return false;
    }
    early.clientId = message.id;
    // Delivered after send() returns, as an answer read from the process would be.
    if (early.answer) setImmediate(() => this.#deliverEarlyAnswer());
    return true;
  }

  #deliverEarlyAnswer(): void {
    const early = this.#earlyInitialize;
    if (!early?.answer || early.clientId === undefined) return;
    this.#earlyInitialize = undefined;
    this.onmessage?.({ ...early.answer, id: early.clientId } as JSONRPCMessage);
  }

  #deliver(): void {
    for (;;) {
      try {
        const message = this.#readBuffer.readMessage();
        if (message === null) return;
        if ("id" in message && message.id === EARLY_INITIALIZE_ID && !("method" in message)) {
          // The answer to the initialize sent at spawn: for the Client's, or for no one.
          if (this.#earlyInitialize) {
            this.#earlyInitialize.answer = message;
            this.#deliverEarlyAnswer();
          }
          continue;
        }
        this.onmessage?.(message);
      } catch (error) {
        this.onerror?.(error as Error);
      }
    }
  }

  #reportClose(): void {
    if (this.#closeReported) return;
    this.#closeReported = true;
    this.onclose?.();
  }
}
