// Proxy mode (`flowgate proxy`, gateway.md §7): an HTTP(S) server in front of the GitHub REST
// and GraphQL API that runs the gateway's guard and DIFC pipeline on every read, so that `gh`,
// curl and scripts calling the API directly get no more than an agent going through the MCP
// gateway would. This file is the room's face: startProxy and its options.
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { parseGuardPolicyJson, guardPolicyToJson, forcePublicGlobalPolicy, PolicyError, type EnforcementMode } from "../difc/index.ts";
import { workflowRepoVisibility } from "../enforce/index.ts";
import { loadWasmGuard, type Guard } from "../guard/index.ts";
import type { GatewayLogger } from "../log/index.ts";
import { closeConnections, urlWithoutSecrets } from "../shared/index.ts";
import { untraced, type Tracing } from "../telemetry/tracing/index.ts";
import { PROXY_GUARD_NAME, ProxyEnforcer } from "./enforcer.ts";
import { proxyHandler } from "./handler.ts";
import { generateTlsMaterial, type TlsMaterial } from "./tls.ts";
import { createUpstream } from "./upstream.ts";

export { matchRestRoute, type GuardToolCall } from "./rest-routes.ts";
export { classifyGraphql, withAuthorFields } from "./graphql.ts";
export { MAX_REQUEST_BYTES } from "./handler.ts";

export interface ProxyOptions {
  guardPath: string;
  /** The guard policy JSON text; without one every filtered read is refused with 503. */
  policyJson: string | undefined;
  /** Used when a client sends no Authorization, and for the guard's enrichment calls. */
  githubToken: string | undefined;
  /** host:port */
  listen: string;
  apiUrl: string;
  guardsMode: EnforcementMode;
  forcePublicRepos: boolean;
  /** The directory for ca.crt, server.crt and server.key; plain HTTP when absent. */
  tlsDir: string | undefined;
  trustedBots: readonly string[];
  trustedUsers: readonly string[];
  logger: GatewayLogger;
  /** Read for GITHUB_REPOSITORY (force-public-repos). */
  env: Readonly<Record<string, string | undefined>>;
  /** Where requests are traced; nowhere when absent. */
  tracing?: Tracing;
}

export interface RunningProxy {
  /** `http://host:port` or `https://host:port`, as clients reach it. */
  url: string;
  address: AddressInfo;
  mode: EnforcementMode;
  tls: TlsMaterial | undefined;
  /**
   * Stops listening, lets requests in flight finish for up to `drainMs` (default 0: cut at once),
   * cuts the rest and closes the guard; true when nothing had to be cut.
   */
  close(drainMs?: number): Promise<boolean>;
}

/** Loads the guard, initialises it with the policy, and listens; rejects with a message that says what failed. */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const { logger } = options;
  const policy = await effectivePolicy(options);
  let guard: Guard;
  try {
    guard = await loadWasmGuard(options.guardPath, {
      name: PROXY_GUARD_NAME,
      logger: { log: (level, name, message) => logger.log(level, "proxy", `[guard ${name}] ${message}`) },
    });
  } catch (error) {
    throw new Error(`failed to create proxy server: failed to load WASM guard from ${options.guardPath}: ${(error as Error).message}`, { cause: error });
  }
  const enforcer = new ProxyEnforcer({ guard, logger, mode: options.guardsMode });
  let server: Server | undefined;
  try {
    if (policy !== undefined) {
      await enforcer.initialize(policy, { trustedBots: options.trustedBots, trustedUsers: options.trustedUsers }).catch((error: unknown) => {
        throw new Error(`failed to create proxy server: guard label_agent failed: ${(error as Error).message}`, { cause: error });
      });
    } else {
      logger.log("warn", "proxy", "no guard policy (--policy or MCP_GATEWAY_GUARD_POLICY_JSON): every filtered read is refused with 503");
    }
    const tls = options.tlsDir === undefined ? undefined : await generateTlsMaterial(options.tlsDir);
    const handler = proxyHandler({
      enforcer,
      upstream: createUpstream(options.apiUrl, options.githubToken),
      logger,
      listenHost: listenHostOf(options.listen),
      tracing: options.tracing ?? untraced,
    });
    server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: "TLSv1.2" }, handler) : createHttpServer(handler);
    const address = await listen(server, options.listen);
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const url = `${tls ? "https" : "http"}://${host}:${address.port}`;
    logger.log("info", "startup", `proxy listening on ${url}, upstream ${urlWithoutSecrets(options.apiUrl)}, mode ${enforcer.mode}`);
    const running = server;
    return {
      url,
      address,
      mode: enforcer.mode,
      tls,
      async close(drainMs = 0) {
        const closed = new Promise<void>((resolve) => running.close(() => resolve()));
        const drained = await closeConnections(running, closed, drainMs);
        await guard.close();
        return drained;
      },
    };
  } catch (error) {
    server?.close();
    await guard.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The policy label_agent gets: --policy, validated (write-sink refused), and with
 * force-public-repos narrowed to public repositories when the workflow's repository is public
 * (gateway.md §7.4). The visibility check fails open, as the reference's does.
 */
async function effectivePolicy(options: ProxyOptions): Promise<Record<string, unknown> | undefined> {
  const text = options.policyJson?.trim();
  if (!text) return undefined;
  let policy;
  try {
    policy = parseGuardPolicyJson(text);
  } catch (error) {
    if (error instanceof PolicyError) throw new Error(`invalid --policy: ${error.message}`, { cause: error });
    throw error;
  }
  if (policy.kind === "write-sink") {
    throw new Error("policy validation failed: write-sink policies are not supported by the proxy; use an allow-only policy");
  }
  if (options.forcePublicRepos) {
    const env = { ...options.env, GITHUB_API_URL: options.apiUrl, ...(options.githubToken ? { GITHUB_TOKEN: options.githubToken } : {}) };
    const visibility = workflowRepoVisibility({
      env,
      onFailure: (reason) =>
        options.logger.log("warn", "proxy", `forcePublicRepos: failed to determine visibility for ${visibility.repository} (fail-open): ${reason}`),
    });
    if ((await visibility.isPublic()) === true) {
      options.logger.log(
        "warn",
        "proxy",
        `FORCED REPOS=PUBLIC: workflow repo ${visibility.repository} is public — overriding proxy allow-only scope to prevent private data reads`,
      );
      policy = forcePublicGlobalPolicy(policy);
    }
  }
  return guardPolicyToJson(policy);
}

/** The host part of a `host:port` listen address, without an IPv6 address's brackets. */
function listenHostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(":")).replace(/^\[(.*)\]$/, "$1");
}

function listen(server: Server, address: string): Promise<AddressInfo> {
  const host = listenHostOf(address);
  const port = Number(address.slice(address.lastIndexOf(":") + 1));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host === "" ? undefined : host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
