// Shared helpers for the config tests: a minimal valid JSON config to vary, and a way to catch
// the ConfigError a load throws.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
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
 * A data file of the reference's. They live in `shared/spec/reference` beside the repository
 * (CI) or beside a parent folder of it (a git worktree), so look upward from the repository.
 */
export function referenceFile(name: string): string {
  let dir = fileURLToPath(new URL("../..", import.meta.url));
  for (;;) {
    const candidate = join(dir, "..", "shared", "spec", "reference");
    if (existsSync(candidate)) return join(candidate, name);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`shared/spec/reference not found beside ${fileURLToPath(new URL("../..", import.meta.url))} or its parents`);
    dir = parent;
  }
}
