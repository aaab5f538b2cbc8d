// The startup adjustments a public workflow repository forces on guard policies (gateway.md §3.17,
// difc.md §7.3, §7.6), with the reference's warnings: allow-only reads narrowed to public repos,
// and write-sinks treated as public. Every failure to learn the visibility fails open, as in the
// reference: the configured policy stays in force.
import type { GatewayConfig } from "../config/index.ts";
import { effectiveSinkVisibility, forcePublicGlobalPolicy, forcePublicServerPolicy, type GuardPolicy, type SinkVisibility } from "../difc/index.ts";
import type { GatewayLogger } from "../log/index.ts";
import type { WorkflowRepoVisibility } from "./github-visibility.ts";
import { envBoolean } from "../shared/index.ts";

/** Whether allow-only policies become repos "public": on unless switched off, and only for a repository the API calls public. */
export async function shouldForcePublicRepos(
  config: GatewayConfig,
  env: Readonly<Record<string, string | undefined>>,
  visibility: WorkflowRepoVisibility,
  logger: GatewayLogger,
): Promise<boolean> {
  if (!config.gateway.forcePublicRepos || envBoolean(env["MCP_GATEWAY_FORCE_PUBLIC_REPOS"]) === false) return false;
  if (visibility.repository === undefined) return false;
  const isPublic = await visibility.isPublic();
  if (isPublic === undefined) {
    logger.log("warn", "difc", `shouldForcePublicRepos: failed to determine visibility for ${visibility.repository} (fail-open, not forcing repos=public)`);
  }
  return isPublic === true;
}

/**
 * The policies one server is registered with once repos are forced public: the global override when
 * there is one (write-sink-only left alone), else the server's own `guard-policies`. Each server
 * whose policy changed gets the reference's warning.
 */
export function forcePublicPolicies(
  serverId: string,
  global: GuardPolicy | null,
  serverPolicies: Record<string, unknown> | undefined,
  repository: string,
  logger: GatewayLogger,
): { global: GuardPolicy | null; serverPolicies: Record<string, unknown> | undefined } {
  const warning = `FORCED REPOS=PUBLIC: workflow repo ${repository} is public — overriding allow-only scope to 'public' to prevent private data reads`;
  if (global !== null) {
    const forced = forcePublicGlobalPolicy(global);
    if (forced !== global) logger.server(serverId, "warn", "difc", `${warning} (source: global policy)`);
    return { global: forced, serverPolicies };
  }
  const forced = forcePublicServerPolicy(serverPolicies, serverId);
  if (forced !== serverPolicies) logger.server(serverId, "warn", "difc", warning);
  return { global, serverPolicies: forced };
}

/**
 * A write-sink's visibility in force. A configured visibility is checked against the API and raised
 * to public for a public repository; an unset one defaults by difc's rules, which ask the API only
 * for safe-outputs.
 */
export async function runtimeSinkVisibility(
  serverId: string,
  configured: SinkVisibility | undefined,
  config: GatewayConfig,
  visibility: WorkflowRepoVisibility,
  logger: GatewayLogger,
): Promise<SinkVisibility | undefined> {
  const asksApi = configured !== undefined || serverId === "safe-outputs" || serverId === "safeoutputs";
  const workflowRepoIsPublic = asksApi ? await visibility.isPublic() : undefined;
  const effective = effectiveSinkVisibility({
    serverId,
    configured,
    exemptServers: config.gateway.sinkVisibilityExemptServers ?? [],
    forcePublicRepos: config.gateway.forcePublicRepos,
    workflowRepoIsPublic,
  });
  if (configured !== undefined && visibility.repository !== undefined) {
    if (workflowRepoIsPublic === undefined) {
      logger.server(serverId, "warn", "difc", `Sink visibility runtime verification failed (using configured value "${configured}"): API error or unavailable`);
    } else if (workflowRepoIsPublic && configured !== "public") {
      logger.server(
        serverId,
        "warn",
        "difc",
        `SINK VISIBILITY OVERRIDE: configured="${configured}" but runtime check shows repo ${visibility.repository} is "public" — overriding to "public" to prevent potential data exfiltration`,
      );
    }
  }
  return effective;
}
