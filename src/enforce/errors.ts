// How enforcement failures reach the client: as JSON-RPC errors whose message is the reason a
// person can act on and whose code says which kind of refusal it was. The MCP SDK sends any
// thrown error's numeric `code` as the JSON-RPC error code. The reference sends 0 for all of
// them; flowgate uses codes from the implementation-defined server range so clients can tell
// a policy refusal from a guard failure without parsing text (docs/compatibility.md).
import { CodedError } from "../shared/index.ts";

/** The DIFC policy refused the call or its whole response. */
export const POLICY_DENIED = -32030;
/** The per-session tool-call budget for this tool is spent. */
export const TOOL_CALL_LIMIT_REACHED = -32031;
/** A guard could not label the call or its response, so nothing was let through. */
export const GUARD_FAILED = -32032;

export class EnforcementError extends CodedError {}
