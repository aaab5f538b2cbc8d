import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** A stdio transport whose process is already running: a started StdioClientTransport (a session spare) or an AdoptedProcessTransport. */
export type StartedStdioTransport = Transport & { readonly pid: number | null };

/**
 * A stdio transport whose process was spawned ahead of time, handed to a Client as if new: the
 * SDK's connect() starts its transport, and a started StdioClientTransport refuses a second start.
 */
export class PrestartedTransport implements Transport {
  readonly #inner: StartedStdioTransport;

  constructor(inner: StartedStdioTransport) {
    this.#inner = inner;
  }

  get pid(): number | null {
    return this.#inner.pid;
  }

  get onmessage(): ((message: JSONRPCMessage) => void) | undefined {
    return this.#inner.onmessage;
  }

  set onmessage(handler: ((message: JSONRPCMessage) => void) | undefined) {
    this.#inner.onmessage = handler;
  }

  get onerror(): ((error: Error) => void) | undefined {
    return this.#inner.onerror;
  }

  set onerror(handler: ((error: Error) => void) | undefined) {
    this.#inner.onerror = handler;
  }

  get onclose(): (() => void) | undefined {
    return this.#inner.onclose;
  }

  set onclose(handler: (() => void) | undefined) {
    this.#inner.onclose = handler;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.#inner.send(message);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
