import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadJsonConfig } from "../../src/config/json-loader.ts";
import { loadTomlConfig } from "../../src/config/toml-loader.ts";
import { configError, issueAt, referenceFile } from "./support.ts";

const read = (name: string) => readFileSync(referenceFile(name), "utf8");

describe("the reference's example configs", () => {
  it.each([
    ["config.toml", ["github", "fetch", "memory", "serena"], { startupTimeout: 30, toolTimeout: 60 }],
    ["config.example.toml", ["github", "memory", "custom"], { startupTimeout: 60, toolTimeout: 120 }],
    ["config.example-payload-threshold.toml", ["github", "filesystem"], { payloadDir: "/tmp/jq-payloads", payloadSizeThreshold: 524288 }],
  ])("loads %s: docker servers, isolated", (name, ids, gateway) => {
    const config = loadTomlConfig(read(name), {});
    expect(config.servers.map((server) => server.id)).toEqual(ids);
    expect(config.servers.every((server) => server.type === "stdio" && server.command === "docker" && !server.unisolated)).toBe(true);
    expect(config.gateway).toMatchObject(gateway);
    // agent_id = "" means none: the gateway generates one.
    expect(config.gateway.agentId).toBeUndefined();
  });

  it("loads example-http-config.json: an HTTP server with headers and a container server", () => {
    const config = loadJsonConfig(read("example-http-config.json"), {});
    expect(config.gateway).toMatchObject({ port: 3001, domain: "localhost", agentId: "gateway-agent-id" });
    expect(config.servers[0]).toMatchObject({
      id: "safeinputs",
      type: "http",
      url: "http://host.docker.internal:3000/",
      headers: { Authorization: "your-auth-secret-here" },
    });
    expect(config.servers[1]).toMatchObject({ id: "github", type: "stdio", container: "ghcr.io/github/github-mcp-server:latest" });
  });

  it("rejects config.json for its undefined variable first, naming it and where it is used", () => {
    const error = configError(() => loadJsonConfig(read("config.json"), { PWD: "/w" }));
    expect(issueAt(error, "mcpServers.custom-app.env.API_KEY")?.problem).toBe("undefined environment variable referenced: CUSTOM_API_KEY");
  });

  it.each([
    ["config.json", { PWD: "/w", CUSTOM_API_KEY: "k" }],
    ["awmg-config.json", {}],
  ])("rejects %s for lacking the required gateway object, as the reference's schema does", (name, env) => {
    const error = configError(() => loadJsonConfig(read(name), env));
    expect(error.issues).toEqual([expect.objectContaining({ path: "gateway", problem: "required field is missing" })]);
  });
});
