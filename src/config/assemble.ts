// The part of loading both formats share: build the guards and servers from schema-valid
// entries, run the cross-field checks, and either return the config or throw every problem.

import type { GatewayConfig, GatewaySettings, GuardsMode } from "./types.ts";
import type { Environment } from "./expand.ts";
import { throwIfAny, type ConfigIssue } from "./issues.ts";
import { buildServer, type BuildContext, type ServerEntry } from "./build-server.ts";
import { buildGuards, type GuardEntry } from "./guards.ts";
import { checkResponseFilters } from "./response-filters.ts";

export interface AssemblyInput {
  gateway: GatewaySettings;
  servers: ServerEntry[];
  guards?: Record<string, GuardEntry>;
  /** Where `guards` is, for error paths. */
  guardsPath: string;
  /** Where `sinkVisibilityExemptServers` is, for warnings. */
  exemptServersPath: string;
  guardsMode?: GuardsMode;
  sequentialLaunch: boolean;
  env: Environment;
  build: Omit<BuildContext, "env" | "guardNames">;
  /** Problems found earlier (gateway fields) and warnings so far. */
  issues: ConfigIssue[];
  warnings: string[];
}

export function assembleConfig(input: AssemblyInput): GatewayConfig {
  const { issues, warnings } = input;
  const guards = buildGuards(input.guards, input.guardsPath, issues);
  const context: BuildContext = { ...input.build, env: input.env, guardNames: new Set(Object.keys(guards)) };
  const servers = input.servers.flatMap((entry) => buildServer(entry, context, issues) ?? []);
  checkResponseFilters(input.servers, issues);
  throwIfAny(issues);
  const ids = new Set(servers.map((server) => server.id));
  for (const id of input.gateway.sinkVisibilityExemptServers ?? []) {
    if (id !== "*" && !ids.has(id)) warnings.push(`${input.exemptServersPath} contains unknown server ID "${id}"; ignoring it (not a configured server)`);
  }
  return {
    gateway: input.gateway,
    servers,
    guards,
    ...(input.guardsMode ? { guardsMode: input.guardsMode } : {}),
    sequentialLaunch: input.sequentialLaunch,
    warnings,
  };
}
