// Finding a server's guard file the way the reference does: the baked-in GitHub guard for the
// server `github`, else the first *.wasm (by name, case-insensitive extension) in
// $MCP_GATEWAY_WASM_GUARDS_DIR/<serverID>/. The environment and paths are arguments.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const GUARDS_DIR_ENV = "MCP_GATEWAY_WASM_GUARDS_DIR";
export const BAKED_IN_GITHUB_GUARD = "/guards/github/00-github-guard.wasm";

export interface DiscoveryOptions {
  /** The environment to read MCP_GATEWAY_WASM_GUARDS_DIR from. */
  env: Readonly<Record<string, string | undefined>>;
  /** Where the GitHub guard is baked into the image; tests point it elsewhere. */
  bakedInGithubGuard?: string;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The guard file for a server, or undefined; throws if the server's guard path is unreadable. */
export function discoverGuardFile(serverId: string, options: DiscoveryOptions): string | undefined {
  const raw = options.env[GUARDS_DIR_ENV];
  if (serverId === "github") {
    // An explicitly empty variable opts out of every guard, the baked-in one included.
    if (raw === "") return undefined;
    const bakedIn = options.bakedInGithubGuard ?? BAKED_IN_GITHUB_GUARD;
    if (isFile(bakedIn)) return bakedIn;
  }
  const root = raw?.trim();
  if (!root) return undefined;
  const dir = join(root, serverId);
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`failed to read guard directory for server ${serverId} at ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const first = entries
    .filter((entry) => !entry.isDirectory() && entry.name.toLowerCase().endsWith(".wasm"))
    .map((entry) => entry.name)
    .sort()[0];
  return first === undefined ? undefined : join(dir, first);
}
