// `flowgate proxy --tls` as a process: the banner on stderr, the TLS files as the reference lays
// them out, the certificate a client verifies, proxy.log, its spans sent to the --otlp-endpoint
// collector, and a clean stop on SIGTERM.
import type { ChildProcess } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGithub } from "../support/fake-github.ts";
import { builtGuardPath } from "../support/guards.ts";
import { runCommand, spawnProxyProcess } from "../support/github-proxy.ts";
import { startOtlpReceiver, type OtlpReceiver } from "../support/otlp-receiver.ts";

describe("flowgate proxy --tls as a process", () => {
  const logDir = mkdtempSync(join(tmpdir(), "flowgate-proxy-logs-"));
  const tlsDir = join(logDir, "proxy-tls");
  let github: FakeGithub;
  let child: ChildProcess;
  let stderr = "";
  let exit: Promise<number | null>;
  let url = "";
  let collector: OtlpReceiver;

  beforeAll(async () => {
    github = await new FakeGithub().start();
    collector = await startOtlpReceiver();
    const proxy = await spawnProxyProcess(
      [
        "--tls",
        "--listen",
        "127.0.0.1:0",
        "--log-dir",
        logDir,
        "--guard-wasm",
        builtGuardPath("github-lite"),
        "--github-api-url",
        github.url,
        "--otlp-endpoint",
        collector.url,
        "--otlp-service-name",
        "proxy-cli",
      ],
      {
        MCP_GATEWAY_GUARD_POLICY_JSON: JSON.stringify({ "allow-only": { repos: "public", "min-integrity": "approved" } }),
        GITHUB_TOKEN: "secret-fallback-token",
        OTEL_EXPORTER_OTLP_CERTIFICATE: collector.caPath,
      },
    );
    ({ child, url, exit } = proxy);
    stderr = proxy.stderr();
  });
  afterAll(async () => {
    child.kill("SIGKILL");
    await github.close();
    await collector.close();
  });

  it("prints the reference's banner with the CA and how to point gh at it", () => {
    const ca = join(tlsDir, "ca.crt");
    expect(stderr).toContain(
      `MCPG GitHub API Proxy\n  Listening: ${url}\n  Upstream:  ${github.url}\n  Mode:      filter\n  Guard:     ${builtGuardPath("github-lite")}\n  CA cert:   ${ca}\n`,
    );
    expect(stderr).toContain(
      `export GH_HOST=${url.replace("https://", "")}\n  export NODE_EXTRA_CA_CERTS=${ca}\n  export SSL_CERT_FILE=${ca}\n  export GIT_SSL_CAINFO=${ca}\n`,
    );
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it("writes ca.crt, server.crt (0644) and server.key (0600, EC PRIVATE KEY) in the TLS directory", () => {
    expect(statSync(join(tlsDir, "ca.crt")).mode & 0o777).toBe(0o644);
    expect(statSync(join(tlsDir, "server.crt")).mode & 0o777).toBe(0o644);
    expect(statSync(join(tlsDir, "server.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(tlsDir, "server.key"), "utf8")).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
  });

  it("issues an ECDSA P-256 server certificate for localhost, 127.0.0.1 and ::1, signed by its CA, valid for a day", () => {
    const ca = new X509Certificate(readFileSync(join(tlsDir, "ca.crt")));
    const server = new X509Certificate(readFileSync(join(tlsDir, "server.crt")));
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe("CN=MCPG Proxy CA\nO=MCPG Proxy");
    expect(server.ca).toBe(false);
    expect(server.subject).toBe("CN=localhost");
    expect(server.checkIssued(ca) && server.verify(ca.publicKey)).toBe(true);
    expect(server.subjectAltName).toBe("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
    expect(server.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(server.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: "prime256v1" });
    const lifetimeHours = (Date.parse(server.validTo) - Date.parse(server.validFrom)) / 3_600_000;
    expect(lifetimeHours).toBe(25);
  });

  it("serves curl over HTTPS with the CA, filtering as the policy says", async () => {
    const run = await runCommand("/usr/bin/curl", ["-sS", "--cacert", join(tlsDir, "ca.crt"), `${url}/repos/octo/pub/issues`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Owner issue in public repo");
    expect(run.stdout).not.toContain("Stranger issue");
  });

  it("logs to proxy.log and rpc-messages.jsonl in the reference's formats, without the token, and stops cleanly on SIGTERM", async () => {
    const unrecognized = await runCommand("/usr/bin/curl", ["-sS", "--cacert", join(tlsDir, "ca.crt"), `${url}/users/someone`]);
    expect(unrecognized.stdout).toContain('"login":"someone"');
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    const log = readFileSync(join(logDir, "proxy.log"), "utf8");
    // A read outside the route table, forwarded without labels, is an event and a WARN line.
    const event = readFileSync(join(logDir, "rpc-messages.jsonl"), "utf8")
      .split("\n")
      .find((line) => line.includes("unrecognized_endpoint_passthrough"));
    expect(JSON.parse(event ?? "null")).toEqual({
      timestamp: expect.stringMatching(/Z$/),
      event: "unrecognized_endpoint_passthrough",
      _schema: "difc-event/v1",
      method: "GET",
      path: "/users/someone",
      action: "passthrough_with_empty_labels",
      note: "Endpoint not in route table or metadata allowlist -- forwarded with no integrity and no secrecy labels",
    });
    expect(log).toContain(`[WARN] [proxy] [UNRECOGNIZED-ENDPOINT] ${event}`);
    expect(log).toMatch(/^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] \[INFO\] \[startup\] proxy listening on https:\/\/127\.0\.0\.1:\d+/m);
    expect(log).toContain("[INFO] [shutdown] proxy shutting down");
    expect(log).not.toContain("secret-fallback-token");
    // The stranger's issue curl did not get is recorded in proxy.log and rpc-messages.jsonl, and no per-server log is made.
    expect(log).toMatch(/\[INFO\] \[difc\] \[github\] .*issue:octo\/pub#2/);
    expect(readFileSync(join(logDir, "rpc-messages.jsonl"), "utf8")).toContain('"description":"issue:octo/pub#2"');
    for (const gatewayFile of ["mcp-gateway.log", "tools.json", "github.log"]) expect(existsSync(join(logDir, gatewayFile))).toBe(false);
  });

  it("sent its spans to the --otlp-endpoint collector under --otlp-service-name, the last ones at the stop", async () => {
    expect(await exit).toBe(0);
    expect(readFileSync(join(logDir, "proxy.log"), "utf8")).toContain(
      `[startup] OpenTelemetry tracing enabled: endpoint=${collector.url}/v1/traces, service=proxy-cli, sampleRate=1.00`,
    );
    const read = collector.spans.find((span) => span.name === "proxy.request" && span.attributes["http.route"] === "/repos/{owner}/{repo}/issues");
    expect(read).toMatchObject({ resource: expect.objectContaining({ "service.name": "proxy-cli" }) });
    expect(collector.spans.filter((span) => span.parentSpanId === read!.spanId).map((span) => span.name)).toEqual(["proxy.difc_pipeline"]);
    expect(collector.spans.some((span) => span.name === "proxy.lifetime")).toBe(true);
  });
});
