// The Prometheus metrics (--metrics-listen): what a scrape shows after real calls through a real
// gateway (the demo's filesystem server behind its guard and memory sink, in propagate mode, and
// server-everything behind the tripwire guard, which traps on request), what the scrape listener
// answers, and the same series read back through a real Prometheus after the demo attack.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { playAttack } from "../../demo/attack.ts";
import { displayedAgentId } from "../../src/gateway/http/auth.ts";
import { createGateway, type Gateway } from "../../src/gateway/index.ts";
import { builtGuardPath } from "../support/guards.ts";
import { serveDemoInProcess, type InProcessDemo } from "../support/demo-gateway.ts";
import { gatewayConfig, runtimeOptions } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, freePort, stdioServer } from "../support/mcp-servers.ts";
import { childPids } from "../support/processes.ts";
import { NO_PROMETHEUS_REASON, PROMETHEUS, startPrometheus, type PrometheusUnderTest } from "../support/prometheus.ts";
import { rawRequest } from "../support/raw-http.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a text exposition (comments skipped). */
function parseExposition(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not an exposition line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1]!, label[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The sum of the samples named `name` whose labels include `labels` (0 when none). */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

let demo: InProcessDemo;
let running: Gateway;
const stderr: string[] = [];
const metricsUrl = (path = "/metrics") => `http://127.0.0.1:${running.metrics!.port}${path}`;

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(metricsUrl());
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  const text = await response.text();
  return { text, samples: parseExposition(text) };
}

const connect = (serverId: string): Promise<Client> => demo.connect(serverId);

beforeAll(async () => {
  demo = await serveDemoInProcess("propagate", {
    configure: (config) => {
      config.servers.push(stdioServer("tripwire", EVERYTHING_SCRIPT, { guard: "tripwire" }));
      config.guards["tripwire"] = {
        type: "wasm",
        path: builtGuardPath("tripwire"),
        policy: { "allow-only": { repos: "all", "min-integrity": "none" } },
      };
    },
    runtime: { metricsListen: { host: "127.0.0.1", port: 0 } },
    gateway: { io: { out: () => undefined, err: (text) => stderr.push(text) } },
  });
  running = demo.gateway;
});

afterAll(async () => {
  await demo?.close();
});

describe("the Prometheus metrics of a gateway", () => {
  it("counts and times each call by server, method, listed tool and outcome, with one denial for the refused write and a guard's failure and recovery", async () => {
    // First, while the agent holds no integrity the tripwire's unlabelled data would lack.
    const tripwire = await connect("tripwire");
    await tripwire.callTool({ name: "echo", arguments: { message: "hello" } });
    await expect(tripwire.callTool({ name: "echo", arguments: { message: "please TRIP now" } })).rejects.toThrow(/guard labeling failed/);
    await tripwire.callTool({ name: "echo", arguments: { message: "hello again" } });
    // A name the backend never listed: counted, but under "other", so agents cannot mint series.
    await tripwire.callTool({ name: "exfiltrate_everything", arguments: {} }).catch(() => undefined);
    await demo.readPrivateThenWritePublic();

    const { text, samples } = await scrape();
    const requests = "flowgate_mcp_requests_total";
    expect(total(samples, requests, { server: "files", method: "tools/call", tool: "read_text_file", outcome: "ok" })).toBe(1);
    expect(total(samples, requests, { server: "memory", method: "tools/call", tool: "create_entities", outcome: "error" })).toBe(1);
    expect(total(samples, requests, { server: "tripwire", method: "tools/call", tool: "echo" })).toBe(3);
    expect(total(samples, requests, { server: "tripwire", method: "tools/call", tool: "other" })).toBe(1);
    expect(total(samples, requests, { server: "files", method: "tools/list", outcome: "ok" })).toBe(1);
    expect(text).not.toContain("exfiltrate_everything");

    expect(total(samples, "flowgate_difc_denials_total")).toBe(1);
    expect(total(samples, "flowgate_difc_denials_total", { server: "memory", reason: "secrecy", phase: "coarse" })).toBe(1);

    const calls = "flowgate_mcp_call_duration_seconds_count";
    expect(total(samples, calls, { server: "memory", method: "tools/call" })).toBe(1);
    // The refused write never reached the backend.
    expect(total(samples, "flowgate_backend_call_duration_seconds_count", { server: "memory", method: "tools/call" })).toBe(0);
    expect(total(samples, "flowgate_backend_call_duration_seconds_count", { server: "files", method: "tools/call" })).toBe(1);
    expect(total(samples, "flowgate_guard_call_duration_seconds_count", { server: "files", function: "label_response" })).toBeGreaterThanOrEqual(1);
    expect(total(samples, "flowgate_mcp_call_duration_seconds_bucket", { server: "files", method: "tools/call", le: "+Inf" })).toBe(1);

    expect(total(samples, "flowgate_guard_failures_total", { server: "tripwire", function: "label_resource" })).toBe(1);
    expect(total(samples, "flowgate_guard_recoveries_total", { server: "tripwire" })).toBe(1);
    expect(total(samples, "flowgate_guard_failures_total")).toBe(1);

    expect(total(samples, "flowgate_mcp_sessions")).toBe(3);
    expect(total(samples, "flowgate_agents")).toBe(1);
    // Discovery's connection and the agent's session connection.
    expect(total(samples, "flowgate_backend_launches_total", { server: "files" })).toBe(2);

    expect(text).not.toContain(running.agentId);
    expect(text).not.toContain(displayedAgentId(running.agentId));
    expect(stderr.join("")).toContain(`Serving Prometheus metrics on 127.0.0.1:${running.metrics!.port} at GET /metrics`);
  });

  it("counts a backend process that died as a crash, and its relaunch on the next call as a restart", async () => {
    const files = await connect("files");
    const [pid] = childPids("server-filesystem");
    expect(pid).toBeDefined();
    process.kill(pid!, "SIGKILL");
    await vi.waitFor(async () => expect(total((await scrape()).samples, "flowgate_backend_crashes_total", { server: "files" })).toBe(1), { timeout: 10_000 });
    await files.callTool({ name: "list_allowed_directories", arguments: {} });
    const { samples } = await scrape();
    expect(total(samples, "flowgate_backend_restarts_total", { server: "files" })).toBe(1);
    expect(total(samples, "flowgate_backend_launch_failures_total")).toBe(0);
  });

  it.each([
    ["another path", 404, "GET", "/", {}],
    ["a path below /metrics", 404, "GET", "/metrics/x", {}],
    ["a POST", 405, "POST", "/metrics", {}],
    ["a DELETE", 405, "DELETE", "/metrics", {}],
    ["a query string", 200, "GET", "/metrics?name[]=flowgate_agents", {}],
    ["a foreign Host (DNS rebinding)", 403, "GET", "/metrics", { Host: "attacker.example" }],
  ])("answers %s to the scrape address with %i", async (_what, status, method, path, headers: Record<string, string>) => {
    const response = await rawRequest(metricsUrl(""), method, path, headers);
    expect(response.status).toBe(status);
    if (status === 405) expect(response.headers["allow"]).toBe("GET");
    if (status === 200) expect(response.body).toContain("flowgate_agents");
    else expect(response.body).not.toContain("flowgate_");
  });
});

describe("--metrics-listen at start-up", () => {
  it("fails the start with the flag's name when the address is taken", async () => {
    const taken = running.metrics!.port;
    const errors: string[] = [];
    await expect(
      createGateway(gatewayConfig([]), runtimeOptions({ metricsListen: { host: "127.0.0.1", port: taken } }), {
        io: { out: () => undefined, err: (text) => errors.push(text) },
        env: {},
        logger: new RecordingLogger(),
        enforcement: false,
      }),
    ).rejects.toThrow(`cannot serve metrics on 127.0.0.1:${taken} (--metrics-listen)`);
    expect(errors.join("")).toContain("EADDRINUSE");
  });
});

describe.skipIf(PROMETHEUS === undefined)(
  PROMETHEUS === undefined ? `the metrics in a real Prometheus (${NO_PROMETHEUS_REASON})` : "the metrics in a real Prometheus",
  () => {
    let prometheus: PrometheusUnderTest | undefined;
    afterAll(async () => {
      await prometheus?.stop();
    });

    it("scrapes the demo attack's calls and denials, read back through its query API", async () => {
      const metricsPort = await freePort();
      const running = await startPrometheus(`127.0.0.1:${metricsPort}`);
      prometheus = running;
      const series = async (promql: string) => (await running.query(promql)).map((sample) => ({ ...sample.metric, value: sample.value }));
      const seen: Record<string, Array<Record<string, string | number>>> = {};
      const queries = {
        denials: "sum by (server, reason) (flowgate_difc_denials_total)",
        fileCalls: 'sum by (tool, outcome) (flowgate_mcp_requests_total{server="files", method="tools/call"})',
        up: 'up{job="flowgate"}',
        guardP99: 'histogram_quantile(0.99, sum by (le) (flowgate_guard_call_duration_seconds_bucket{server="files"}))',
      };
      const report = await playAttack("propagate", undefined, {
        gateway: { metricsListen: { host: "127.0.0.1", port: metricsPort } },
        // While the gateway still serves: once it is gone, Prometheus marks its series stale.
        beforeClose: async () => {
          // Two tools/list and five tool calls, once a scrape after the last of them is in.
          await vi.waitFor(async () => expect(await series("sum(flowgate_mcp_requests_total)")).toEqual([{ value: 7 }]), { timeout: 20_000, interval: 200 });
          for (const [name, promql] of Object.entries(queries)) seen[name] = await series(promql);
        },
      });
      expect(report.steps.map((step) => step.verdict)).toEqual(["allowed", "allowed", "blocked", "allowed", "blocked"]);

      expect(seen["denials"]).toHaveLength(2);
      expect(seen["denials"]).toEqual(
        expect.arrayContaining([
          { server: "memory", reason: "secrecy", value: 1 },
          { server: "files", reason: "integrity", value: 1 },
        ]),
      );
      expect(seen["fileCalls"]).toEqual(
        expect.arrayContaining([
          { tool: "list_directory", outcome: "ok", value: 1 },
          { tool: "read_text_file", outcome: "ok", value: 2 },
          { tool: "write_file", outcome: "error", value: 1 },
        ]),
      );
      expect(seen["up"]).toEqual([expect.objectContaining({ value: 1 })]);
      expect(seen["guardP99"]![0]!.value).toBeGreaterThan(0);
    });
  },
);
