import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { expect } from "vitest";
import { demoConfig } from "../../demo/attack.ts";
import type { GatewayConfig, GuardsMode, RuntimeOptions } from "../../src/config/types.ts";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/gateway/index.ts";
import { connectRouted, runtimeOptions } from "./gateway.ts";
import { RecordingLogger } from "./recording-logger.ts";

/** The demo (server-filesystem behind the filesystem guard, server-memory as a public sink) served in this process. */
export interface InProcessDemo {
  gateway: Gateway;
  /** The scratch copy of demo/workspace the files server serves. */
  workspace: string;
  /** A client of one routed server, tools listed; closed by close(). */
  connect(serverId: string): Promise<Client>;
  /**
   * The demo attack's core in propagate mode: read private/salaries.md through `files` (the agent
   * picks up its secrecy), then write to the public `memory` sink, which must be refused.
   */
  readPrivateThenWritePublic(): Promise<void>;
  /** Closes the clients and the gateway, and removes the scratch directory. */
  close(): Promise<void>;
}

export interface InProcessDemoOptions {
  /** Changes to the demo's configuration before it is served (a server of the test's own). */
  configure?: (config: GatewayConfig) => void;
  runtime?: Partial<RuntimeOptions>;
  /** What the gateway is started with beyond the defaults (an observer, stderr capture). */
  gateway?: Partial<GatewayOptions>;
}

export async function serveDemoInProcess(mode: GuardsMode, { configure, runtime = {}, gateway = {} }: InProcessDemoOptions = {}): Promise<InProcessDemo> {
  const scratch = await mkdtemp(join(tmpdir(), `flowgate-demo-${mode}-`));
  const { config, workspace } = await demoConfig(mode, scratch);
  configure?.(config);
  const clients: Client[] = [];
  const running = await createGateway(config, runtimeOptions({ guardsMode: mode, ...runtime }), {
    io: { out: () => undefined, err: () => undefined },
    env: {},
    version: "test",
    logger: new RecordingLogger(),
    ...gateway,
  });
  const connect = async (serverId: string): Promise<Client> => {
    const client = await connectRouted(running, serverId, "demo-agent");
    clients.push(client);
    return client;
  };
  return {
    gateway: running,
    workspace,
    connect,
    async readPrivateThenWritePublic() {
      const files = await connect("files");
      const memory = await connect("memory");
      await files.callTool({ name: "read_text_file", arguments: { path: join(workspace, "private/salaries.md") } });
      await expect(
        memory.callTool({ name: "create_entities", arguments: { entities: [{ name: "x", entityType: "note", observations: ["y"] }] } }),
      ).rejects.toThrow();
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      await running.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
