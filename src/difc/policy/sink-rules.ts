import type { AllowOnlyPolicy } from "./allow-only.ts";
import { privateScopeTag } from "./repo-scope.ts";
import type { SinkVisibility } from "./write-sink.ts";

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
