/**
 * Texts of the enforcement pipeline (client errors and DIFC log lines), kept beside the engine so
 * every layer words them the same way.
 */

export function guardInitFailedError(detail: string): string {
  return `guard session initialization failed: ${detail}`;
}

export function guardLabelingFailedError(detail: string): string {
  return `guard labeling failed: resource labeling failed: ${detail}`;
}

/** The reference repeats the prefix (`response labeling failed: response labeling failed: …`); flowgate says it once. */
export function responseLabelingFailedError(detail: string): string {
  return `response labeling failed: ${detail}`;
}

/** WARN text log for an item or resource the agent may not access (strict blocks and coarse denials). */
export function accessDeniedLogMessage(agentId: string, description: string, reason: string): string {
  return `Access DENIED for agent ${agentId} to ${description}: ${reason}`;
}

/** WARN text log when strict mode refuses a whole response. */
export function strictBlockLogMessage(filteredCount: number, totalCount: number): string {
  return `STRICT MODE: Blocking entire response - ${filteredCount}/${totalCount} items violate DIFC policy`;
}
