import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubProxy, type GithubProxy } from "../support/github-proxy.ts";
import { rawRequest } from "../support/raw-http.ts";

// Attack: a page in the user's browser rebinds its own name to 127.0.0.1 and reads the GitHub API
// through `flowgate proxy`, which adds its fallback token to requests that carry none. The proxy
// refuses a Host or Origin that does not name it, before anything reaches GitHub.
let running: GithubProxy;
let port: number;

beforeAll(async () => {
  running = await startGithubProxy({ "allow-only": { repos: "all", "min-integrity": "none" } });
  port = running.proxy.address.port;
});

afterAll(async () => {
  await running.close();
});

describe("the GitHub API proxy on loopback", () => {
  it.each([
    ["a rebound Host", { Host: "attacker.example" }],
    ["a loopback Host with a foreign Origin", { Host: `127.0.0.1:${port}`, Origin: "http://attacker.example" }],
    ["the same origin on another port", { Host: `127.0.0.1:${port}`, Origin: "http://127.0.0.1:1" }],
  ])("refuses %s with 403 and asks GitHub nothing", async (_case, headers) => {
    const before = running.github.requests.length;
    for (const path of ["/repos/octo/public-repo/issues", "/reflect", "/health"]) {
      const response = await rawRequest(running.proxy.url, "GET", path, headers, "");
      expect(response.status).toBe(403);
    }
    expect(running.github.requests.length).toBe(before);
  });

  it("serves a request that names it", async () => {
    const response = await rawRequest(running.proxy.url, "GET", "/health", { Host: `localhost:${port}`, Origin: `http://localhost:${port}` }, "");
    expect(response.status).toBe(200);
  });
});
