// Attack: an agent reads a private repository through the proxy. Every proxy span carried the
// request's path (`/repos/octo/priv/issues/1`), so the collector, whose readers may not be
// cleared for the repository, learned its name, and a tainted agent could spell what it had read
// in a path it asked for. Spans now carry the route's shape (`/repos/{owner}/{repo}/…`) instead.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTracing } from "../../src/telemetry/tracing/index.ts";
import { startGithubProxy } from "../support/github-proxy.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.ts";

const AUTHORIZATION = { Authorization: "token client-token" };

let receiver: OtlpReceiver;
let spans: ReceivedSpan[];

beforeAll(async () => {
  receiver = await startOtlpReceiver({ plain: true });
  const started = await startTracing(
    { endpoint: receiver.url, serviceName: "proxy-private-names" },
    {},
    { version: "test", rootSpanName: "proxy.lifetime", report: () => undefined },
  );
  const env = await startGithubProxy({ "allow-only": { repos: "all", "min-integrity": "none" } }, { tracing: started.tracing! });
  try {
    for (const path of ["/repos/octo/priv/issues/1", "/api/v3/repos/octo/priv/contents/README.md", "/orgs/octo/repos"]) {
      const answer = await fetch(`${env.proxy.url}${path}`, { headers: AUTHORIZATION });
      await answer.arrayBuffer();
    }
    const issue = await fetch(`${env.proxy.url}/repos/octo/priv/issues/1`, { headers: AUTHORIZATION });
    expect(JSON.stringify(await issue.json())).toContain("Owner issue in private repo");
  } finally {
    await env.close();
    await started.tracing!.shutdown();
  }
  spans = await receiver.waitFor((received) => received.some((span) => span.name === "proxy.lifetime"));
});

afterAll(async () => {
  await receiver?.close();
});

describe("a private repository read through the proxy", () => {
  it("is not named by any exported span attribute", () => {
    const values = spans.flatMap((span) => Object.values(span.attributes).filter((value) => typeof value === "string"));
    expect(values.filter((value) => /octo|priv/i.test(value))).toEqual([]);
    for (const request of receiver.requests) expect(request.body).not.toContain("octo/priv");
  });

  it("is still traced by its route's shape on the request, its DIFC pipeline and its upstream call", () => {
    const routes = (name: string) =>
      spans
        .filter((span) => span.name === name)
        .sort((a, b) => (a.startNanos < b.startNanos ? -1 : 1))
        .map((span) => span.attributes["http.route"]);
    expect(routes("proxy.request")).toEqual([
      "/repos/{owner}/{repo}/issues/{issue_number}",
      "/repos/{owner}/{repo}/contents/{path}",
      "other",
      "/repos/{owner}/{repo}/issues/{issue_number}",
    ]);
    expect(new Set(routes("proxy.difc_pipeline"))).toEqual(new Set(["/repos/{owner}/{repo}/issues/{issue_number}", "/repos/{owner}/{repo}/contents/{path}"]));
    expect(new Set(routes("proxy.backend.forward"))).toEqual(new Set(["/repos/{owner}/{repo}/issues/{issue_number}", "/repos/{owner}/{repo}/contents/{path}"]));
  });
});
