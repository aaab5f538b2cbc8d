// The errors every layer throws and reads. One base class carries the code, so the code of a
// thrown error reaches the client the same way whichever layer threw it.

/**
 * The text of any thrown value: an Error's message, anything else as a string, without the
 * "MCP error <code>: " prefix the SDK adds to errors it relays (the code is reported on its own).
 */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^MCP error -?\d+: /, "");
}

/**
 * An error with a numeric code: a JSON-RPC error code for the errors an agent sees (the RPC,
 * enforcement and backend errors), the exit code for the CLI's. The MCP SDK's server layer sends
 * a thrown error's `code`, `message` and `data` as the JSON-RPC error unchanged, so the message
 * is never prefixed the way an SDK McpError's is ("MCP error <code>: ").
 */
export class CodedError extends Error {
  readonly code: number;
  constructor(code: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    // Named by the subclass, so a logged error says which layer refused.
    this.name = new.target.name;
  }
}

/** Internal error: what a thrown value without a code of its own is answered with. */
const INTERNAL_ERROR = -32603;

/** The JSON-RPC error object a thrown value becomes: a CodedError keeps its code, anything else is an internal error. */
export function rpcErrorOf(error: unknown): { code: number; message: string } {
  return error instanceof CodedError ? { code: error.code, message: error.message } : { code: INTERNAL_ERROR, message: errorText(error) };
}
