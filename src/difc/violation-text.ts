import type { Evaluation } from "./evaluator.ts";
import { goList } from "./format.ts";
import { sortedTags, type AgentLabels, type ResourceLabels } from "./labels.ts";

/**
 * The error text the client receives when the coarse check denies a call: the reason, the
 * action that would make the flow legal and its consequences, then both sides' labels.
 */
export function formatViolationError(evaluation: Evaluation, agent: AgentLabels, resource: ResourceLabels): string {
  const lines: string[] = [`DIFC Violation: ${evaluation.reason}`, ""];
  if (evaluation.secrecyToAdd.length > 0) {
    const tags = goList(evaluation.secrecyToAdd);
    lines.push(
      `Required Action: Add secrecy tags ${tags}`,
      "",
      "Implications of adding secrecy tags:",
      "  - Agent will be restricted from writing to resources that lack these tags",
      "  - This includes public resources (e.g., public repositories, public internet)",
      "  - Agent will be marked as handling sensitive information",
      `  - Future writes must target resources with tags: ${tags}`,
    );
  }
  if (evaluation.integrityToDrop.length > 0) {
    const tags = goList(evaluation.integrityToDrop);
    lines.push(
      "",
      `Required Action: Drop integrity tags ${tags}`,
      "",
      "Implications of dropping integrity tags:",
      "  - Agent will no longer be able to write to high-integrity resources",
      `  - Specifically, agent cannot write to resources requiring tags: ${tags}`,
      "  - This action acknowledges that agent has been influenced by lower-integrity data",
      "  - Agent's outputs will be considered less trustworthy",
    );
  }
  lines.push(
    "",
    "Current Agent Labels:",
    `  Secrecy: ${goList(sortedTags(agent.secrecy))}`,
    `  Integrity: ${goList(sortedTags(agent.integrity))}`,
    "",
    "Resource Requirements:",
    `  Secrecy: ${goList(sortedTags(resource.secrecy))}`,
    `  Integrity: ${goList(sortedTags(resource.integrity))}`,
  );
  return lines.join("\n") + "\n";
}
