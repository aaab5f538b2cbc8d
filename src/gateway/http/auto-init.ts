import type { IncomingHttpHeaders } from "node:http";

/** The protocol version the reference's auto-init announces. */
const AUTO_INIT_PROTOCOL = "2025-11-25";

/**
 * Some clients (Gemini CLI 0.37) send tools/call without ever initializing. Like the reference,
 * the gateway then initializes a session on their behalf, by posting `initialize` and
 * `notifications/initialized` to its own MCP route with the client's credentials, and returns
 * the new session id (undefined when that fails, and the request is answered as it is).
 */
export async function autoInitialize(url: string, headers: IncomingHttpHeaders): Promise<string | undefined> {
  const base: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
  for (const name of ["authorization", "x-agent-id"] as const) {
    const value = headers[name];
    if (typeof value === "string") base[name] = value;
  }
  try {
    const init = await fetch(url, {
      method: "POST",
      headers: base,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: "mcpg-auto-init",
        method: "initialize",
        params: { protocolVersion: AUTO_INIT_PROTOCOL, capabilities: {}, clientInfo: { name: "mcpg-auto-init", version: "1.0" } },
      }),
    });
    await init.text();
    const sessionId = init.headers.get("mcp-session-id");
    if (!init.ok || sessionId === null) return undefined;
    const headersWithSession = { ...base, "Mcp-Session-Id": sessionId, "Mcp-Protocol-Version": AUTO_INIT_PROTOCOL };
    const initialized = await fetch(url, {
      method: "POST",
      headers: headersWithSession,
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    });
    await initialized.text();
    return initialized.ok ? sessionId : undefined;
  } catch {
    return undefined;
  }
}
