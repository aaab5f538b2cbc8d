import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadJsonConfig } from "../../src/config/json-loader.ts";
import { referenceFile } from "./support.ts";

const FIXED = ["run", "--rm", "-i", "-e", "NO_COLOR=1", "-e", "TERM=dumb", "-e", "PYTHONUNBUFFERED=1"];

describe("docker run command for container servers", () => {
  it("matches the reference's arguments for the JSON example's container server", () => {
    const config = loadJsonConfig(readFileSync(referenceFile("example-http-config.json"), "utf8"), {});
    expect(config.servers.find((server) => server.id === "github")).toMatchObject({
      type: "stdio",
      command: "docker",
      args: [...FIXED, "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server:latest"],
      env: {},
      unisolated: false,
    });
  });

  it("places entrypoint, mounts, env, extra args, image and entrypoint args as the reference does", () => {
    // The reference's config.json has no gateway object (its schema rejects it), so add one.
    const document = JSON.parse(readFileSync(referenceFile("config.json"), "utf8")) as Record<string, unknown>;
    const servers = document.mcpServers as Record<string, Record<string, unknown>>;
    (servers["custom-app"] as Record<string, unknown>).args = ["--network", "host"];
    document.gateway = { port: 3000, domain: "localhost", agentId: "a" };
    const config = loadJsonConfig(JSON.stringify(document), { PWD: "/work/repo", CUSTOM_API_KEY: "k1" });
    const args = (id: string) => config.servers.find((server) => server.id === id);
    expect(args("custom-app")).toMatchObject({
      args: [
        ...FIXED,
        "--entrypoint",
        "/custom/entrypoint.sh",
        "-v",
        "/host/config:/app/config:ro",
        "-v",
        "/host/data:/app/data:rw",
        "-e",
        "API_KEY=k1",
        "-e",
        "DEBUG=true",
        "--network",
        "host",
        "myorg/custom-mcp:latest",
        "--verbose",
        "--debug",
      ],
    });
    expect(args("serena")).toMatchObject({
      args: [...FIXED, "-v", "/work/repo:/workspace:ro", "-e", "NO_COLOR=1", "-e", "TERM=dumb", "ghcr.io/github/serena-mcp-server:latest"],
    });
    expect(args("fetch")).toMatchObject({ type: "stdio", args: [...FIXED, "mcp/fetch"] });
  });
});
