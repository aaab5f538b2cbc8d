import { label, type EnforcementMode, type Operation, type ResourceLabels } from "../labels.ts";
import type { AllowOnlyPolicy } from "./allow-only.ts";
import { privateScopeTag } from "./repo-scope.ts";
import type { SinkVisibility, WriteSinkPolicy } from "./write-sink.ts";

/** What a built-in guard answers to label_agent and label_resource. */
export interface NativeAgentResult {
  readonly secrecy: readonly string[];
  readonly integrity: readonly string[];
  readonly mode: EnforcementMode;
}

export interface NativeResourceResult {
  readonly resource: ResourceLabels;
  readonly operation: Operation;
}

/** The noop guard (servers without a guard): empty labels; with a policy it runs in strict mode. */
export const NOOP_AGENT_RESULT: NativeAgentResult = { secrecy: [], integrity: [], mode: "strict" };

/** The noop guard classifies every call as read-write with empty labels (its docs say read; its code says read-write). */
export function noopLabelResource(toolName: string): NativeResourceResult {
  return { resource: { description: `resource:${toolName}`, secrecy: label(), integrity: label() }, operation: "read-write" };
}

/** The write-sink guard gives agents no labels and runs in filter mode. */
export const WRITE_SINK_AGENT_RESULT: NativeAgentResult = { secrecy: [], integrity: [], mode: "filter" };

/**
 * The write-sink guard: every call is a write to a resource whose secrecy is the accept list, so a
 * write succeeds iff the agent's secrecy is within it; a public sink accepts only public data.
 */
export function writeSinkLabelResource(
  policy: WriteSinkPolicy,
  toolName: string,
  visibility: SinkVisibility | undefined,
): NativeResourceResult {
  const isPublic = visibility === "public";
  return {
    resource: {
      description: isPublic ? `write-sink:public (${toolName})` : `write-sink (${toolName})`,
      secrecy: isPublic ? label() : label(policy.accept),
      integrity: label(),
    },
    operation: "write",
  };
}

/** The accept list a write-sink needs to take what an agent under this allow-only policy carries (difc.md §7.4). */
export function acceptForRepos(repos: AllowOnlyPolicy["repos"]): string[] {
  return typeof repos === "string" ? ["*"] : repos.map(privateScopeTag);
}

/**
 * The sink visibility in force (difc.md §7.3): configured, unless the workflow's repository is
 * public; unset sinks other than safe-outputs are public unless exempt.
 */
export function effectiveSinkVisibility(input: {
  serverId: string;
  configured: SinkVisibility | undefined;
  exemptServers: readonly string[];
  forcePublicRepos: boolean;
  workflowRepoIsPublic: boolean | undefined;
}): SinkVisibility | undefined {
  if (input.configured !== undefined) return input.workflowRepoIsPublic === true ? "public" : input.configured;
  const isSafeOutputs = input.serverId === "safe-outputs" || input.serverId === "safeoutputs";
  if (!isSafeOutputs) {
    const exempt = !input.forcePublicRepos || input.exemptServers.includes(input.serverId) || input.exemptServers.includes("*");
    return exempt ? undefined : "public";
  }
  return input.workflowRepoIsPublic === true ? "public" : undefined;
}
