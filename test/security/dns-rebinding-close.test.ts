import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { originAllowed } from "../../src/shared/index.ts";
import { gatewayConfig, runGateway, type RunningGateway } from "../support/gateway.ts";
import { MEMORY_SCRIPT, stdioServer } from "../support/mcp-servers.ts";
import { rawRequest } from "../support/raw-http.ts";

// A web page that rebinds its own host name to 127.0.0.1 reaches the gateway with a Host (and, on
// a POST, an Origin) that name the attacker's site. With the key (leaked-by-design, spec §7.1) it
// could shut the gateway down through /close. Every route refuses such a request before anything
// else, and a browser request from any origin but the gateway's own.
const KEY = "agent-key-for-rebinding-tests";
let gateway: RunningGateway;
let port: string;

const initialize = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});
const routes: Array<[method: string, path: string, headers: Record<string, string>, body: string]> = [
  ["POST", "/close", { Authorization: KEY }, ""],
  ["GET", "/reflect", { Authorization: KEY }, ""],
  ["GET", "/health", {}, ""],
  ["POST", "/mcp/memory", { Authorization: KEY, "Content-Type": "application/json", Accept: "application/json, text/event-stream" }, initialize],
  ["GET", "/ui", {}, ""],
  ["GET", "/ui/events", { Authorization: KEY }, ""],
  ["GET", "/no-such-route", {}, ""],
];

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), "flowgate-memory-")), "memory.jsonl");
  gateway = await runGateway(gatewayConfig([stdioServer("memory", MEMORY_SCRIPT, { env: { MEMORY_FILE_PATH: file } })], { agentId: KEY }));
  port = new URL(gateway.baseUrl).port;
});

afterAll(async () => {
  await gateway.stop();
});

describe("DNS rebinding", () => {
  const hostile = (what: string, headers: (port: string) => Record<string, string>, body: (port: string) => string) =>
    routes.map(([method, path, own, payload]) => [what, method, path, own, payload, headers, body] as const);

  it.each([
    ...hostile(
      "a rebound Host",
      (p) => ({ Host: `attacker.example:${p}` }),
      (p) => `Forbidden: invalid Host header "attacker.example:${p}"`,
    ),
    ...hostile(
      "an Origin of another site",
      (p) => ({ Origin: `http://attacker.example:${p}` }),
      (p) =>
        JSON.stringify({
          error: "forbidden",
          message: `Origin "http://attacker.example:${p}" is not allowed: a browser may call the gateway only from its own origin (http://127.0.0.1:${p})`,
        }),
    ),
    ...hostile(
      "an Origin of another port on loopback",
      () => ({ Origin: "http://127.0.0.1:1" }),
      (p) =>
        JSON.stringify({
          error: "forbidden",
          message: `Origin "http://127.0.0.1:1" is not allowed: a browser may call the gateway only from its own origin (http://127.0.0.1:${p})`,
        }),
    ),
  ])("refuses %s on %s %s with 403, whatever the credential", async (_what, method, path, own, payload, headers, body) => {
    const response = await rawRequest(gateway.baseUrl, method, path, { ...own, ...headers(port) }, payload);
    expect([response.status, response.body]).toEqual([403, body(port)]);
  });

  it.each([
    ["the gateway's own origin", (p: string) => ({ Origin: `http://127.0.0.1:${p}` })],
    ["no Origin (a client that is not a browser)", () => ({})],
  ])("serves a request from %s", async (_what, headers) => {
    const response = await rawRequest(gateway.baseUrl, "GET", "/health", headers(port));
    expect(response.status).toBe(200);
  });

  it("is still running after every refused /close", async () => {
    const health = await fetch(`${gateway.baseUrl}/health`);
    expect(health.status).toBe(200);
    const exited = await Promise.race([gateway.exit.then(() => true), Promise.resolve(false)]);
    expect(exited).toBe(false);
  });

  // A listener on every interface has no Host check: the Origin's own name must be one the
  // gateway is known by (loopback, the listen address, gateway.domain) and match Host.
  it.each([
    ["gateway.domain as Host names it", "http://gateway.internal:8000", "gateway.internal:8000", true],
    ["a loopback name as Host names it (a published container port)", "http://localhost:8080", "localhost:8080", true],
    ["https on its default port", "https://gateway.internal", "gateway.internal:443", true],
    ["a rebound name, even matching Host", "http://attacker.example:8000", "attacker.example:8000", false],
    ["gateway.domain on another port than Host", "http://gateway.internal:9999", "gateway.internal:8000", false],
    ["the opaque origin of a sandboxed page", "null", "gateway.internal:8000", false],
    ["a non-web scheme", "file://gateway.internal", "gateway.internal:8000", false],
    ["an origin with a path", "http://gateway.internal:8000/x", "gateway.internal:8000", false],
  ])("on an all-interfaces listener decides an Origin of %s", (_what, origin, host, allowed) => {
    expect(originAllowed(origin, host, ["0.0.0.0", "gateway.internal"])).toBe(allowed);
  });
});
