// Attack (on a mistake): the OTLP settings hold the collector's key, in GH_AW_OTLP_ENDPOINTS'
// headers or in an endpoint's user info or query. A setting with a typo made the startup warning
// quote it: the parser's message for a stray comma in the JSON (V8 quotes the text around the
// fault, the end of the key included), or the whole endpoint when its scheme was not http(s). The
// warning went to stderr, mcp-gateway.log and gateway.md. It must say what is wrong without the key.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadJsonConfig, loadTomlConfig } from "../../src/config/index.ts";
import type { OpenTelemetryConfig } from "../../src/config/types.ts";
import { gatewayConfig, runGateway, runtimeOptions } from "../support/gateway.ts";
import { MEMORY_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

const KEY = "otlpkey-7c1e95ab34d2";
const HEADERS = `"headers": "Authorization=Bearer ${KEY}"`;

interface Mistake {
  mistake: string;
  env?: Record<string, string>;
  opentelemetry?: OpenTelemetryConfig;
  warning: string;
}

const MISTAKES: Mistake[] = [
  {
    mistake: "a trailing comma in GH_AW_OTLP_ENDPOINTS",
    env: { GH_AW_OTLP_ENDPOINTS: `[{"url": "http://127.0.0.1:4318", ${HEADERS}},]` },
    warning: "GH_AW_OTLP_ENDPOINTS is not valid JSON",
  },
  {
    mistake: "two commas in a row in GH_AW_OTLP_ENDPOINTS",
    env: { GH_AW_OTLP_ENDPOINTS: `[{"url": "http://127.0.0.1:4318", ${HEADERS}},,{"url": "http://127.0.0.1:4319"}]` },
    warning: "GH_AW_OTLP_ENDPOINTS is not valid JSON",
  },
  {
    mistake: "a gRPC endpoint with the key as user info",
    opentelemetry: { endpoint: `grpc://user:${KEY}@collector.example:4317`, serviceName: "flowgate-test" },
    warning: "OTLP endpoint 'grpc://***@collector.example:4317' uses grpc",
  },
  {
    mistake: "an endpoint without a scheme, the key in its query",
    env: { GH_AW_OTLP_ENDPOINTS: `collector.example:4318/v1/traces?api_key=${KEY}` },
    warning: "OTLP/HTTP needs http:// or https://",
  },
];

describe("OTLP settings with a key and a typo, at startup", () => {
  it.each(MISTAKES)("with $mistake, no piece of the key reaches stderr or the log files", async ({ env = {}, opentelemetry, warning }) => {
    const runtime = runtimeOptions();
    const config = gatewayConfig([stdioServer("memory", MEMORY_SCRIPT)], opentelemetry ? { opentelemetry } : {});
    const gateway = await runGateway(config, runtime, { env, fileLogs: true });
    expect(await gateway.stop()).toBe(0);
    const stderr = gateway.stderr();
    expect(stderr).toContain(warning);
    expect(stderr).toContain("tracing is off");
    const logs = await Promise.all((await readdir(runtime.logDir)).map((name) => readFile(join(runtime.logDir, name), "utf8")));
    const pieces = Array.from({ length: KEY.length - 5 }, (_, start) => KEY.slice(start, start + 6));
    for (const text of [stderr, ...logs]) for (const piece of pieces) expect(text).not.toContain(piece);
  });
});

// The same mistake in a configuration file: the endpoint often comes from ${VAR}, and the error
// that refuses it is printed on stderr, where CI logs keep it.
describe("an OTLP endpoint with a key and the wrong scheme, in a configuration", () => {
  const endpoint = `grpc://user:${KEY}@collector.example:4317/?token=${KEY}`;
  it.each([
    [
      "TOML [gateway.opentelemetry]",
      () => loadTomlConfig(`[gateway.opentelemetry]\nendpoint = "\${OTLP}"\n\n[servers.memory]\ncommand = "docker"\n`, { OTLP: endpoint }),
    ],
    [
      "JSON opentelemetry",
      () =>
        loadJsonConfig(JSON.stringify({ mcpServers: {}, gateway: { port: 3000, domain: "localhost", apiKey: "k", opentelemetry: { endpoint: "${OTLP}" } } }), {
          OTLP: endpoint,
        }),
    ],
  ])("%s is refused naming the endpoint, without the key", (_where, load) => {
    let message = "";
    try {
      load();
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/endpoint/);
    expect(message).toContain("grpc://***@collector.example:4317/?***");
    expect(message).not.toContain(KEY.slice(0, 8));
  });
});
