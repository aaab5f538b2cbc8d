import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { HttpServerConfig } from "../config/index.ts";
import type { GatewayLogger } from "../log/index.ts";
import { refusalReporter } from "./bad-message.ts";
import { PlainJsonRpcTransport } from "./plain-jsonrpc-transport.ts";
import { refusingFetch, type FetchFunction } from "./refusing-fetch.ts";
import { errorText, urlWithoutSecrets } from "../shared/index.ts";

/**
 * Connects `makeClient()` to an HTTP backend: streamable HTTP first, then the deprecated SSE
 * transport, then plain JSON-RPC over POST, each attempt bounded by the server's connectTimeout.
 * Configured headers go on every request of every transport. An answer the JSON-RPC message
 * schema refuses fails only the call it answered (see refusingFetch).
 */
export async function connectHttp(server: HttpServerConfig, makeClient: () => Client, logger: GatewayLogger): Promise<Client> {
  const url = new URL(server.url);
  const requestInit: RequestInit = { headers: server.headers };
  const onRefused = refusalReporter(server.id, logger);
  const attempts: Array<{ name: string; transport: () => Transport; connected?: () => void }> = [
    {
      name: "streamable",
      transport: () => new StreamableHTTPClientTransport(url, { requestInit, reconnectionOptions: noReconnect, fetch: refusingFetch(onRefused) }),
    },
    {
      name: "SSE",
      // Answers come on the event stream; the POSTs are answered with 202 and no body.
      transport: () => new SSEClientTransport(url, { requestInit, eventSourceInit: { fetch: refusingFetch(onRefused, withHeaders(server.headers)) } }),
      connected: () => logger.server(server.id, "warn", "backend", `MCP over SSE (2024-11-05 spec) is DEPRECATED for url=${urlWithoutSecrets(server.url)}`),
    },
    { name: "plain JSON-RPC", transport: () => new PlainJsonRpcTransport(url, server.headers, onRefused) },
  ];
  const failures: string[] = [];
  let lastError: unknown;
  for (const attempt of attempts) {
    const client = makeClient();
    try {
      await client.connect(attempt.transport(), { timeout: server.connectTimeout * 1000 });
      attempt.connected?.();
      return client;
    } catch (error) {
      await client.close().catch(() => undefined);
      failures.push(`${attempt.name}: ${errorText(error)}`);
      lastError = error;
    }
  }
  // The reference's text, then every attempt's reason: the last one alone rarely explains a failure.
  throw new Error(
    `failed to connect using any HTTP transport (tried streamable, SSE, and plain JSON-RPC): ` +
      `last error: ${errorText(lastError)} (earlier: ${failures.slice(0, -1).join("; ")})`,
    { cause: lastError },
  );
}

// The gateway decides when to reconnect (on the next call, with backoff); the SDK must not retry
// a dead stream behind its back.
const noReconnect = { maxReconnectionDelay: 0, initialReconnectionDelay: 0, reconnectionDelayGrowFactor: 1, maxRetries: 0 };

function withHeaders(headers: Record<string, string>): FetchFunction {
  return (input, init) => {
    const merged = new Headers(init?.headers);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    return fetch(input, { ...init, headers: merged });
  };
}
