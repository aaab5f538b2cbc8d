// Turns one schema-valid server entry (from either format, keys already mapped to camelCase)
// into a ServerConfig, applying the rule checks the schema cannot express. Every problem is
// appended to `issues` with the path the user wrote.

import type { GuardPolicyConfig, HttpServerConfig, ServerConfig, StdioServerConfig } from "./types.ts";
import type { Environment } from "./expand.ts";
import { childPath, type ConfigIssue } from "./issues.ts";
import { normaliseGuardPolicy } from "./guard-policy.ts";
import { DOCKER_COMMAND, dockerRunArgs } from "./docker-command.ts";
import { DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_RATE_LIMIT_COOLDOWN_S, DEFAULT_RATE_LIMIT_THRESHOLD, MIN_TOOL_TIMEOUT_S } from "./defaults.ts";

/** A server entry as both loaders hand it over. `keys` maps a field to the key the user wrote. */
export interface ServerEntry {
  id: string;
  /** Where the entry is in the document, e.g. `mcpServers.github` or `servers.github`. */
  path: string;
  type: "stdio" | "http";
  keys: Readonly<Record<string, string>>;
  container?: string;
  entrypoint?: string;
  entrypointArgs?: string[];
  mounts?: string[];
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  workingDirectory?: string;
  url?: string;
  headers?: Record<string, string>;
  auth?: { type: "github-oidc"; audience?: string };
  connectTimeout?: number;
  toolTimeout?: number;
  tools?: string[];
  registry?: string;
  guardPolicies?: unknown;
  guard?: string;
  toolResponseFilters?: Record<string, string>;
  rateLimitThreshold?: number;
  rateLimitCooldown?: number;
}

export interface BuildContext {
  env: Environment;
  guardNames: ReadonlySet<string>;
  /** JSON configs hold per-server tool timeouts to the reference's minimum of 10 s; TOML does not check them. */
  enforceToolTimeoutMinimum: boolean;
  /** The field to ask for when a stdio server has neither: JSON names `container`, TOML `command`. */
  stdioField: "container" | "command";
}

// The reference's code-level image pattern, which (unlike its schema) also allows a digest.
const IMAGE = /^[a-zA-Z0-9][a-zA-Z0-9./_-]*(:([a-zA-Z0-9._-]+|latest))?(@sha256:[a-f0-9]{64})?$/;
const MOUNT_EXPECTED = "a mount as '/absolute/host/path:/absolute/container/path:ro' (mode ro or rw)";

function at(entry: ServerEntry, field: string): string {
  return childPath(entry.path, entry.keys[field] ?? field);
}

function mountIssue(mount: string, path: string): ConfigIssue | undefined {
  const parts = mount.split(":");
  if (parts.length !== 3) return { path, problem: `invalid mount format '${mount}' (expected 'source:dest:mode')`, expected: MOUNT_EXPECTED };
  const [source, dest, mode] = parts as [string, string, string];
  if (!source.startsWith("/")) return { path, problem: `mount source must be an absolute path, got '${source}'`, expected: MOUNT_EXPECTED };
  if (!dest.startsWith("/")) return { path, problem: `mount destination must be an absolute path, got '${dest}'`, expected: MOUNT_EXPECTED };
  if (mode !== "ro" && mode !== "rw") return { path, problem: `invalid mount mode '${mode}'`, expected: MOUNT_EXPECTED };
  return undefined;
}

/** `""` means "keep the gateway's own value", which a spawned process inherits anyway. */
function explicitEnv(env: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(env ?? {}).filter(([, value]) => value !== ""));
}

function isDocker(command: string): boolean {
  return command === DOCKER_COMMAND || command.endsWith(`/${DOCKER_COMMAND}`);
}

function buildStdio(entry: ServerEntry, ctx: BuildContext, issues: ConfigIssue[]): Omit<StdioServerConfig, keyof CommonFields> | undefined {
  if (entry.container !== undefined && entry.command !== undefined) {
    issues.push({
      path: at(entry, "command"),
      problem: "a server has either 'container' or 'command', not both",
      expected: "keep container (runs isolated in Docker) or command (runs as a local process)",
    });
    return undefined;
  }
  if (entry.container !== undefined) {
    if (!IMAGE.test(entry.container)) {
      issues.push({
        path: at(entry, "container"),
        problem: `invalid container image '${entry.container}'`,
        expected: "an image reference such as ghcr.io/owner/name:tag or name@sha256:<64 hex digits>",
      });
    }
    entry.mounts?.forEach((mount, index) => {
      const issue = mountIssue(mount, childPath(at(entry, "mounts"), index));
      if (issue) issues.push(issue);
    });
    return {
      type: "stdio",
      command: DOCKER_COMMAND,
      args: dockerRunArgs({ ...entry, container: entry.container }),
      env: {},
      container: entry.container,
      unisolated: false,
    };
  }
  if (entry.command === undefined) {
    const field = ctx.stdioField;
    issues.push({
      path: at(entry, field),
      problem: `'${field}' is required for stdio servers`,
      expected: "a container image in 'container', or a local program in 'command' with its 'args'",
    });
    return undefined;
  }
  for (const field of ["entrypoint", "entrypointArgs", "mounts"] as const) {
    if (entry[field] !== undefined) {
      issues.push({
        path: at(entry, field),
        problem: `'${field}' only applies to container servers`,
        expected: "remove it, or declare the server with 'container' instead of 'command'",
      });
    }
  }
  return {
    type: "stdio",
    command: entry.command,
    args: entry.args ?? [],
    env: explicitEnv(entry.env),
    unisolated: !isDocker(entry.command),
    ...(entry.workingDirectory ? { cwd: entry.workingDirectory } : {}),
  };
}

function buildHttp(entry: ServerEntry, ctx: BuildContext, issues: ConfigIssue[]): Omit<HttpServerConfig, keyof CommonFields> | undefined {
  if (entry.mounts !== undefined) {
    issues.push({
      path: at(entry, "mounts"),
      problem: "mounts are only supported for stdio (containerized) servers",
      expected: "remove mounts from this http server",
    });
  }
  if (entry.auth && ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL === undefined) {
    issues.push({
      path: at(entry, "auth"),
      problem: "github-oidc auth needs ACTIONS_ID_TOKEN_REQUEST_URL, which is not set",
      expected: "run inside GitHub Actions with id-token: write permission, or remove auth",
    });
  }
  if (entry.url === undefined) {
    issues.push({ path: at(entry, "url"), problem: "'url' is required for HTTP servers", expected: "an http:// or https:// URL" });
    return undefined;
  }
  return {
    type: "http",
    url: entry.url,
    headers: { ...entry.headers },
    connectTimeout: entry.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_S,
    ...(entry.auth ? { auth: entry.auth } : {}),
  };
}

type CommonFields = Omit<StdioServerConfig, "type" | "command" | "args" | "env" | "container" | "unisolated" | "cwd">;

function buildCommon(entry: ServerEntry, ctx: BuildContext, issues: ConfigIssue[]): CommonFields {
  let toolTimeout = entry.toolTimeout || undefined;
  if (toolTimeout !== undefined && ctx.enforceToolTimeoutMinimum && toolTimeout < MIN_TOOL_TIMEOUT_S) {
    const key = entry.keys.toolTimeout ?? "toolTimeout";
    issues.push({
      path: at(entry, "toolTimeout"),
      problem: `${key} must be at least ${MIN_TOOL_TIMEOUT_S}, got ${toolTimeout}`,
      expected: `a whole number of seconds, at least ${MIN_TOOL_TIMEOUT_S} (0 uses the gateway's)`,
    });
    toolTimeout = undefined;
  }
  let guardPolicies: GuardPolicyConfig | undefined;
  if (entry.guardPolicies !== undefined) guardPolicies = normaliseGuardPolicy(entry.guardPolicies, at(entry, "guardPolicies"), issues);
  if (entry.guard !== undefined && !ctx.guardNames.has(entry.guard)) {
    issues.push({
      path: at(entry, "guard"),
      problem: `guard '${entry.guard}' is not defined`,
      expected: `the name of an entry in guards${ctx.guardNames.size ? ` (${[...ctx.guardNames].join(", ")})` : ", which has none"}`,
    });
  }
  return {
    id: entry.id,
    rateLimitThreshold: entry.rateLimitThreshold ?? DEFAULT_RATE_LIMIT_THRESHOLD,
    rateLimitCooldown: entry.rateLimitCooldown ?? DEFAULT_RATE_LIMIT_COOLDOWN_S,
    ...(entry.tools ? { tools: [...entry.tools] } : {}),
    ...(toolTimeout !== undefined ? { toolTimeout } : {}),
    ...(guardPolicies ? { guardPolicies } : {}),
    ...(entry.guard !== undefined ? { guard: entry.guard } : {}),
    ...(entry.registry !== undefined ? { registry: entry.registry } : {}),
    ...(entry.toolResponseFilters ? { toolResponseFilters: { ...entry.toolResponseFilters } } : {}),
  };
}

/** Builds the server, or returns undefined after recording why it cannot be built. */
export function buildServer(entry: ServerEntry, ctx: BuildContext, issues: ConfigIssue[]): ServerConfig | undefined {
  const common = buildCommon(entry, ctx, issues);
  if (entry.type === "http") {
    const http = buildHttp(entry, ctx, issues);
    return http && { ...common, ...http };
  }
  const stdio = buildStdio(entry, ctx, issues);
  return stdio && { ...common, ...stdio };
}
