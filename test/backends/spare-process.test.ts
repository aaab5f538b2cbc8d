import { describe, expect, it, vi } from "vitest";
import { Backend } from "../../src/backends/backend.ts";
import type { ClientSide } from "../../src/backends/client-side.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";
import { childPids } from "../support/processes.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

const agentSide: ClientSide = {
  capabilities: {},
  request: () => Promise.reject(new Error("no client requests in this test")),
  notify: async () => undefined,
};

describe("a stdio server's spare process", () => {
  it("is started once a second session launches the server, and the next session gets it", async () => {
    const marker = "spare-process-test";
    const backend = new Backend(stdioServer("spare", EVERYTHING_SCRIPT, { args: [EVERYTHING_SCRIPT, "stdio", marker] }), {
      clientInfo: { name: "test", version: "1" },
      logger: new RecordingLogger(),
      startupTimeout: 30,
      toolTimeout: 60,
      keepaliveInterval: -1,
    });
    const pids = () => childPids(EVERYTHING_SCRIPT, marker);
    const first = await backend.launch(agentSide);
    try {
      // One session: no idle process is kept for a gateway that serves a single agent.
      expect(pids()).toEqual([first.pid]);

      const second = await backend.launch(agentSide);
      const spare = pids().filter((pid) => pid !== first.pid && pid !== second.pid);
      expect(spare).toHaveLength(1);

      const third = await backend.launch(agentSide);
      expect(third.pid).toBe(spare[0]);
      expect((await third.client.callTool({ name: "echo", arguments: { message: "from the spare" } })).content).toEqual([
        { type: "text", text: "Echo: from the spare" },
      ]);
      const next = pids().filter((pid) => ![first.pid, second.pid, third.pid].includes(pid));
      expect(next).toHaveLength(1);

      await backend.close();
      await Promise.all([second.close(), third.close()]);
      // Closing the backend stops the spare nobody took.
      await vi.waitFor(() => expect(pids()).toEqual([first.pid]), { timeout: 10_000, interval: 50 });
    } finally {
      await first.close();
      await backend.close();
    }
  });
});
