import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { serveGateway } from "../../src/gateway/index.ts";
import { gatewayConfig, runtimeOptions } from "../support/gateway.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

describe("serve", () => {
  it("exits 1 with a message naming the address, and writes nothing to stdout, when it cannot listen", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    let stdout = "";
    let stderr = "";
    try {
      const code = await serveGateway(gatewayConfig([], { agentId: "a" }), runtimeOptions({ listenPort: port }), {
        io: { out: (text) => void (stdout += text), err: (text) => void (stderr += text) },
        logger: new RecordingLogger(),
        enforcement: false,
      });
      expect(code).toBe(1);
      expect(stderr).toContain(`failed to start gateway on 127.0.0.1:${port}`);
      expect(stderr).toContain("EADDRINUSE");
      expect(stdout).toBe("");
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("writes an empty server map for a config without servers and exits 0 when aborted", async () => {
    let stdout = "";
    const controller = new AbortController();
    let written: () => void = () => undefined;
    const document = new Promise<void>((resolve) => (written = resolve));
    const exit = serveGateway(gatewayConfig([], { agentId: "a" }), runtimeOptions(), {
      io: { out: (text) => ((stdout += text), written()), err: () => undefined },
      logger: new RecordingLogger(),
      enforcement: false,
      signal: controller.signal,
    });
    await document;
    expect(JSON.parse(stdout)).toEqual({ mcpServers: {} });
    controller.abort();
    expect(await exit).toBe(0);
  });
});
