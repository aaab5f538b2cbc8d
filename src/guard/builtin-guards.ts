// The two guards that are not WASM, as in the reference: `noop` (for servers with no guard:
// every tool an unlabelled read-write, strict mode) and `write-sink` (for output servers:
// every tool a write whose secrecy is the accepted set, filter mode). Both implement Guard.
import type { AgentLabels, Guard, GuardStatus, ResourceLabels } from "./types.ts";

abstract class BuiltinGuard implements Guard {
  abstract readonly name: string;
  #calls = 0;
  #closed = false;

  protected abstract agent(): AgentLabels;
  protected abstract resource(toolName: string): ResourceLabels;

  async labelAgent(): Promise<AgentLabels> {
    this.#calls++;
    return this.agent();
  }

  async labelResource(toolName: string): Promise<ResourceLabels> {
    this.#calls++;
    return this.resource(toolName);
  }

  async labelResponse(): Promise<null> {
    this.#calls++;
    return null;
  }

  status(): GuardStatus {
    return {
      name: this.name,
      state: "healthy",
      calls: this.#calls,
      errors: 0,
      failures: 0,
      consecutiveFailures: 0,
      recoveries: 0,
      instances: 0,
      closed: this.#closed,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

export class NoopGuard extends BuiltinGuard {
  readonly name = "noop";
  protected agent(): AgentLabels {
    return { secrecy: [], integrity: [], difcMode: "strict" };
  }
  protected resource(toolName: string): ResourceLabels {
    return { description: `noop (${toolName})`, secrecy: [], integrity: [], operation: "read-write" };
  }
}

export interface WriteSinkOptions {
  /** The policy's accept entries, used verbatim as the resource secrecy. */
  accept: readonly string[];
  /** Effective sink visibility; "public" makes every write's secrecy empty. */
  visibility?: "public" | "private" | "internal";
}

export class WriteSinkGuard extends BuiltinGuard {
  readonly name = "write-sink";
  readonly #accept: string[];
  readonly #public: boolean;
  constructor(options: WriteSinkOptions) {
    super();
    this.#accept = [...options.accept];
    this.#public = options.visibility === "public";
  }
  protected agent(): AgentLabels {
    return { secrecy: [], integrity: [], difcMode: "filter" };
  }
  protected resource(toolName: string): ResourceLabels {
    return {
      description: this.#public ? `write-sink:public (${toolName})` : `write-sink (${toolName})`,
      secrecy: this.#public ? [] : [...this.#accept],
      integrity: [],
      operation: "write",
    };
  }
}
