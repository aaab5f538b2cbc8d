/**
 * Spends one call of a per-(session, server) budget. Returns null when the call may proceed, or
 * the error text when the budget is spent. The call is counted before any DIFC check, so a call
 * denied later still counts. A tool without a limit, or with limit 0, is unlimited.
 */
export function consumeToolCall(limits: ReadonlyMap<string, number>, counts: Map<string, number>, toolName: string): string | null {
  const limit = limits.get(toolName) ?? 0;
  if (limit === 0) return null;
  const used = counts.get(toolName) ?? 0;
  if (used >= limit) return toolCallLimitText(toolName, limit);
  counts.set(toolName, used + 1);
  return null;
}

export function toolCallLimitText(toolName: string, limit: number): string {
  return `tool call limit reached for "${toolName}" (max: ${limit})`;
}
