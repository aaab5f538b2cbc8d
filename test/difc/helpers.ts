import type { AgentLabels, ResourceLabels } from "../../src/difc/index.ts";

/** Labels from tag lists: `agent(["s"], ["i"])`. */
export function agent(secrecy: string[] = [], integrity: string[] = []): AgentLabels {
  return { secrecy: new Set(secrecy), integrity: new Set(integrity) };
}

export function resource(secrecy: string[] = [], integrity: string[] = [], description = "res"): ResourceLabels {
  return { description, secrecy: new Set(secrecy), integrity: new Set(integrity) };
}

export function sorted(tags: Iterable<string>): string[] {
  return [...tags].sort();
}
