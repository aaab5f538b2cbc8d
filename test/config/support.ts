// Shared helpers for the config tests: a minimal valid JSON config to vary, and a way to catch
// the ConfigError a load throws.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, type ConfigIssue } from "../../src/config/issues.ts";

export const AID = "test-agent-0123456789";

/** The compliance suite's BASE(servers): a valid JSON config around the given servers. */
export function base(servers: Record<string, unknown>, gateway: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { mcpServers: servers, gateway: { port: 3000, domain: "localhost", agentId: AID, ...gateway }, ...extra };
}

/** Runs `load` and returns the ConfigError it throws; fails the test if it does not throw one. */
export function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected the configuration to be rejected");
}

/** The issue reported at `path`, if any. */
export function issueAt(error: ConfigError, path: string): ConfigIssue | undefined {
  return error.issues.find((issue) => issue.path === path);
}

/**
 * A data file of the reference's. They live in `shared/spec/reference` beside the repository (CI),
 * beside a parent folder of it (a git worktree), or beside the repository a local clone was made
 * from (`git clone . /tmp/check`), so look upward from each of those.
 */
export function referenceFile(name: string): string {
  const repository = fileURLToPath(new URL("../..", import.meta.url));
  for (const start of [repository, localOrigin(repository)]) {
    for (let dir = start; dir !== undefined; dir = dirname(dir) === dir ? undefined : dirname(dir)) {
      const candidate = join(dir, "..", "shared", "spec", "reference");
      if (existsSync(candidate)) return join(candidate, name);
    }
  }
  throw new Error(`shared/spec/reference not found beside ${repository}, its parents, or the repository it was cloned from`);
}

/** The directory the repository was cloned from, when its origin is a local path. */
function localOrigin(repository: string): string | undefined {
  try {
    const url = execFileSync("git", ["-C", repository, "remote", "get-url", "origin"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return isAbsolute(url) && existsSync(url) ? url : undefined;
  } catch {
    return undefined;
  }
}
