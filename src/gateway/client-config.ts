import type { GatewayConfig, RuntimeOptions } from "../config/index.ts";
import { dialableHost } from "./http/index.ts";

/**
 * The client configuration document written to stdout once the gateway listens (gateway.md §1.6
 * step 13): one entry per server, keys sorted, two-space indent, nothing else on stdout.
 */
export function clientConfigDocument(config: GatewayConfig, runtime: RuntimeOptions, port: number, agentId: string): string {
  const host = dialableHost(runtime.listenHost);
  const servers: Record<string, unknown> = {};
  for (const server of [...config.servers].sort((a, b) => compare(a.id, b.id))) {
    const path = runtime.mode === "unified" ? "/mcp" : `/mcp/${server.id}`;
    servers[server.id] = {
      headers: { Authorization: agentId },
      ...(server.tools && server.tools.length > 0 ? { tools: server.tools } : {}),
      type: "http",
      url: `http://${host}:${port}${path}`,
    };
  }
  return `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
