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

function spareBackend(marker: string): Backend {
  return new Backend(stdioServer("spare", EVERYTHING_SCRIPT, { args: [EVERYTHING_SCRIPT, "stdio", marker] }), {
    clientInfo: { name: "test", version: "1" },
    logger: new RecordingLogger(),
    startupTimeout: 30,
    toolTimeout: 60,
    keepaliveInterval: -1,
  });
}

describe("a stdio server's spare process", () => {
  it("is started when a connection is launched while another is open, and the next connection gets it", async () => {
    const marker = "spare-process-test";
    const backend = spareBackend(marker);
    const first = await backend.launch(agentSide);
    try {
      // One session: no idle process is kept for a gateway that serves a single agent.
      expect(pids(marker)).toEqual([first.pid]);

      const second = await backend.launch(agentSide);
      const spare = pids(marker).filter((pid) => pid !== first.pid && pid !== second.pid);
      expect(spare).toHaveLength(1);

      const third = await backend.launch(agentSide);
      expect(third.pid).toBe(spare[0]);
      expect((await third.client.callTool({ name: "echo", arguments: { message: "from the spare" } })).content).toEqual([
        { type: "text", text: "Echo: from the spare" },
      ]);
      const next = pids(marker).filter((pid) => ![first.pid, second.pid, third.pid].includes(pid));
      expect(next).toHaveLength(1);

      await backend.close();
      await Promise.all([second.close(), third.close()]);
      // Closing the backend stops the spare nobody took.
      await vi.waitFor(() => expect(pids(marker)).toEqual([first.pid]), { timeout: 10_000, interval: 50 });
    } finally {
      await first.close();
      await backend.close();
    }
  });

  it("is not started for an agent that reconnects after its connection closed", async () => {
    const marker = "spare-reconnect-test";
    const backend = spareBackend(marker);
    const first = await backend.launch(agentSide);
    await first.close();
    await first.closed;
    const second = await backend.launch(agentSide);
    try {
      expect(pids(marker).filter((pid) => pid !== first.pid)).toEqual([second.pid]);
    } finally {
      await second.close();
      await backend.close();
    }
  });
});

function pids(marker: string): number[] {
  return childPids(EVERYTHING_SCRIPT, marker);
}
