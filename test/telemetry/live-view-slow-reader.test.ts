// A page that stops reading its stream (a frozen tab, a stalled proxy) must not make the gateway
// buffer decisions for it without end: once 1 MiB waits unsent, its stream is cut, and the page
// reconnects to a fresh snapshot. Driven with the real decision log and live view behind the
// real /ui routes, and a client that opens /ui/events and never reads.
import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { setImmediate as turn } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { LiveViewRoutes } from "../../src/gateway/http/live-view.ts";
import { DecisionLog, LiveView } from "../../src/telemetry/live-view/index.ts";

const log = new DecisionLog();
const routes = new LiveViewRoutes(
  new LiveView(log, { servers: () => [], agents: () => Promise.resolve({ shown: [], total: 0 }), reportGuardEvents: () => () => undefined }),
);
let streamClosed = false;
const server = createServer((req, res) => {
  res.on("close", () => (streamClosed = true));
  void routes.handle(req, res, new URL(req.url ?? "/", "http://x").pathname, () => true);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("a live view stream whose reader stopped reading", () => {
  it("is cut once 1 MiB waits unsent, not buffered without end", async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write("GET /ui/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    // The snapshot's first bytes show the stream is open; after that the client reads nothing.
    await new Promise((resolve) => socket.once("data", resolve));
    socket.pause();

    const reason = "r".repeat(16 * 1024);
    const limit = 64 * 1024 * 1024;
    let pumped = 0;
    while (!streamClosed && pumped < limit) {
      for (let i = 0; i < 16; i++) {
        log.observer.event({
          kind: "decision",
          server: "s",
          agent: "a",
          tool: "t",
          method: "tools/call",
          mode: "filter",
          decision: "denied",
          phase: "coarse",
          reason,
        });
        pumped += reason.length;
      }
      await turn();
    }
    expect(streamClosed).toBe(true);
    expect(pumped).toBeLessThan(limit);
    socket.destroy();
  });
});
