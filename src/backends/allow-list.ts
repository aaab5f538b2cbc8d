import type { ServerConfig } from "../config/index.ts";

/** A server's `tools` list: absent, empty, or containing "*", allows every tool (as the reference). */
export function toolAllowed(server: ServerConfig, toolName: string): boolean {
  const allowed = server.tools;
  if (allowed === undefined || allowed.length === 0 || allowed.includes("*")) return true;
  return allowed.includes(toolName);
}
