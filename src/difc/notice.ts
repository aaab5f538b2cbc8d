/** What the agent is told about items it may not see. */

export interface FilteredItemSummary {
  readonly description: string;
  readonly reason: string;
  /** The evaluation reported secrecy tags to add (integrity is checked first, so both-failing items count as integrity). */
  readonly isSecrecyViolation: boolean;
}

const MAX_DESCRIBED_ITEMS = 5;

export function difcPolicyLabel(filtered: readonly FilteredItemSummary[]): string {
  if (filtered.length === 0) return "access policy";
  if (filtered.every((item) => item.isSecrecyViolation)) return "secrecy policy";
  if (filtered.every((item) => !item.isSecrecyViolation)) return "integrity policy";
  return "access policy";
}

/** The `[Filtered]` text appended to a filtered response; null when nothing was filtered. */
export function filteredNotice(filtered: readonly FilteredItemSummary[]): string | null {
  const count = filtered.length;
  if (count === 0) return null;
  const head = `[Filtered] ${count} item(s) in this response were removed by ${difcPolicyLabel(filtered)} and are not shown`;
  const parts = count <= MAX_DESCRIBED_ITEMS ? filtered.map(describeItem).filter((part) => part !== "") : [];
  return parts.length === 0 ? `${head}.` : `${head}: ${parts.join("; ")}.`;
}

/** The error for a singular read tool whose only item was filtered. */
export function singleItemDeniedError(item: FilteredItemSummary): string {
  const subject = item.description === "" ? "resource" : item.description;
  const base = `[Filtered] ${subject} exists but is not accessible \u2014 filtered by ${difcPolicyLabel([item])}`;
  return item.reason === "" ? base : `${base} (${item.reason})`;
}

function describeItem(item: FilteredItemSummary): string {
  if (item.description !== "" && item.reason !== "") return `${item.description} (${item.reason})`;
  return item.description !== "" ? item.description : item.reason;
}
