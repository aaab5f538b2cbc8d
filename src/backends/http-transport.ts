import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { HttpServerConfig } from "../config/types.ts";
import type { GatewayLogger } from "../log/types.ts";
import { errorText } from "./errors.ts";

/**
 * Connects `makeClient()` to an HTTP backend: streamable HTTP first, then the deprecated SSE
 * transport, each attempt bounded by the server's connectTimeout. Configured headers go on every
 * request of either transport.
 */
export async function connectHttp(
  server: HttpServerConfig,
  makeClient: () => Client,
  logger: GatewayLogger,
): Promise<Client> {
  const url = new URL(server.url);
  const requestInit: RequestInit = { headers: server.headers };
  const timeout = server.connectTimeout * 1000;
  const streamable = makeClient();
  try {
    await streamable.connect(
      new StreamableHTTPClientTransport(url, { requestInit, reconnectionOptions: noReconnect }),
      { timeout },
    );
    return streamable;
  } catch (streamableError) {
    await streamable.close().catch(() => undefined);
    const sse = makeClient();
    try {
      await sse.connect(new SSEClientTransport(url, { requestInit, eventSourceInit: { fetch: withHeaders(server.headers) } }), {
        timeout,
      });
      logger.server(server.id, "warn", "backend", `MCP over SSE (2024-11-05 spec) is DEPRECATED for url=${server.url}`);
      return sse;
    } catch (sseError) {
      await sse.close().catch(() => undefined);
      throw new Error(
        `failed to connect using any HTTP transport (tried streamable HTTP and SSE): ` +
          `streamable: ${errorText(streamableError)}; SSE: ${errorText(sseError)}`,
        { cause: sseError },
      );
    }
  }
}

// The gateway decides when to reconnect (on the next call, with backoff); the SDK must not retry
// a dead stream behind its back.
const noReconnect = { maxReconnectionDelay: 0, initialReconnectionDelay: 0, reconnectionDelayGrowFactor: 1, maxRetries: 0 };

function withHeaders(headers: Record<string, string>): typeof fetch {
  return (input, init) => {
    const merged = new Headers(init?.headers);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    return fetch(input, { ...init, headers: merged });
  };
}
