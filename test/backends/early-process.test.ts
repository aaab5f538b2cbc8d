import { once } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { Backend } from "../../src/backends/backend.ts";
import type { ClientSide } from "../../src/backends/client-side.ts";
import { EarlyProcess, spawnEarlyProcesses } from "../../src/backends/early-process.ts";
import type { StdioServerConfig } from "../../src/config/types.ts";
import { gatewayConfig } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, httpServer, stdioServer } from "../support/mcp-servers.ts";
import { childPids } from "../support/processes.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

const agentSide: ClientSide = {
  capabilities: {},
  request: () => Promise.reject(new Error("no client requests in this test")),
  notify: async () => undefined,
};

function backend(server: StdioServerConfig, early?: EarlyProcess): Backend {
  const options = { clientInfo: { name: "test", version: "1" }, logger: new RecordingLogger(), startupTimeout: 30, toolTimeout: 60, keepaliveInterval: -1 };
  return new Backend(server, options, early);
}

const idle = (marker: string) => stdioServer(marker, "-e", { args: ["-e", "setInterval(() => {}, 1000)", marker] });

describe("a stdio server's early process", () => {
  it("is the process discovery talks to, and the first session then gets a process of its own", async () => {
    const marker = "early-process-discovery";
    const server = stdioServer("everything", EVERYTHING_SCRIPT, { args: [EVERYTHING_SCRIPT, "stdio", marker] });
    const early = new EarlyProcess(server);
    const everything = backend(server, early);
    await everything.discover();
    expect(everything.status).toBe("running");
    expect(everything.tools.map((tool) => tool.name)).toContain("echo");
    // Discovery closes its connection: had it spawned a process of its own, the early one would still run.
    expect(early.closed).toBe(true);
    expect(childPids(marker)).toEqual([]);

    const session = await everything.launch(agentSide);
    try {
      expect(childPids(marker)).toEqual([session.pid]);
      expect((await session.client.callTool({ name: "echo", arguments: { message: "first session" } })).content).toEqual([
        { type: "text", text: "Echo: first session" },
      ]);
    } finally {
      await session.close();
      await everything.close();
    }
  });

  it.each([
    ["whose command does not exist", stdioServer("missing", "", { command: "/nonexistent/flowgate-test-server", args: [] })],
    ["that exits before it is adopted", stdioServer("exits", "", { args: ["-e", "process.exit(3)"] })],
  ])("of a server %s fails discovery as a process spawned at discovery would", async (_, server) => {
    const spawnedAtDiscovery = backend(server);
    await spawnedAtDiscovery.discover();

    const early = new EarlyProcess(server);
    // Dead before discovery adopts it: never spawned, or exited.
    await early.spawned.then(
      () => once(early.child, "close"),
      () => undefined,
    );
    const adopted = backend(server, early);
    await adopted.discover();

    expect(spawnedAtDiscovery.status).toBe("error");
    expect(adopted.status).toBe("error");
    expect(adopted.lastError).toBe(spawnedAtDiscovery.lastError);
  });

  it.each([
    ["the same clientInfo as discovery's Client, which is then answered from it", { name: "test", version: "1" }, 0],
    ["another clientInfo, after which discovery's Client sends its own", { name: "other", version: "2" }, 1],
  ])("is sent initialize at spawn with %s", async (_case, clientInfo, initializesWrittenByDiscovery) => {
    const marker = `early-process-initialize-${initializesWrittenByDiscovery}`;
    const server = stdioServer("everything", EVERYTHING_SCRIPT, { args: [EVERYTHING_SCRIPT, "stdio", marker] });
    const early = new EarlyProcess(server, clientInfo);
    const stdin = early.child.stdin!;
    const write = stdin.write.bind(stdin) as (chunk: string) => boolean;
    const written: string[] = [];
    vi.spyOn(stdin, "write").mockImplementation(((chunk: string) => {
      written.push(String(chunk));
      return write(chunk);
    }) as typeof stdin.write);
    const everything = backend(server, early);
    try {
      await everything.discover();
      expect(everything.status).toBe("running");
      expect(everything.serverInfo?.name).toBe("mcp-servers/everything");
      expect(everything.tools.map((tool) => tool.name)).toContain("echo");
      expect(written.filter((line) => JSON.parse(line).method === "initialize")).toHaveLength(initializesWrittenByDiscovery);
    } finally {
      await everything.close();
    }
  });

  it("is spawned for stdio servers only, and only for the first server with sequential launch", async () => {
    const marker = "early-process-spawn";
    const servers = [httpServer("remote", "http://127.0.0.1:9/mcp"), idle(`${marker}-a`), idle(`${marker}-b`)];
    for (const sequentialLaunch of [false, true]) {
      const processes = spawnEarlyProcesses({ ...gatewayConfig(servers), sequentialLaunch });
      try {
        await Promise.all([...processes.values()].map((early) => early.spawned));
        const expected = sequentialLaunch ? [] : [`${marker}-a`, `${marker}-b`];
        expect([...processes.keys()]).toEqual(expected);
        expect(childPids(marker)).toHaveLength(expected.length);
      } finally {
        for (const early of processes.values()) early.kill();
      }
      await vi.waitFor(() => expect(childPids(marker)).toEqual([]), { timeout: 10_000, interval: 50 });
    }
  });
});
