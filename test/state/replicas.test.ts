import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { attackLeaks } from "../../demo/attack.ts";
import type { GuardsMode } from "../../src/config/types.ts";
import { POLICY_DENIED, STATE_UNAVAILABLE, TOOL_CALL_LIMIT_REACHED } from "../../src/enforce/index.ts";
import { builtGuardPath } from "../support/guards.ts";
import { HAPROXY, NO_HAPROXY_REASON, startHaproxy, type RunningHaproxy } from "../support/haproxy.ts";
import { NO_REDIS_REASON, REDIS_SERVER, startRedis, type RedisUnderTest } from "../support/redis.ts";

// The scale-out deployment of docs/scale-out.md: a real redis-server, two flowgate processes
// sharing their DIFC state in it (--state-url), and haproxy in front, spreading new MCP sessions
// and keeping each on the replica that opened it. The demo attack is played with its reads
// through one replica and its writes through the other.
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const AGENT = "demo-agent";
const missing = REDIS_SERVER === undefined ? NO_REDIS_REASON : HAPROXY === undefined ? NO_HAPROXY_REASON : undefined;

interface RunningReplica {
  name: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

interface Deployment {
  redis: RedisUnderTest;
  replicas: RunningReplica[];
  haproxy: RunningHaproxy;
  workspace: string;
  memoryFile: string;
  scratch: string;
}

function replaced(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`demo/flowgate.toml no longer contains ${from}: update this test`);
  return text.replaceAll(from, to);
}

/** demo/flowgate.toml for `mode`, on a scratch workspace and memory file. */
async function demoToml(mode: GuardsMode, scratch: string, toolCallLimits: string): Promise<{ file: string; workspace: string; memoryFile: string }> {
  const workspace = join(scratch, "workspace");
  const memoryFile = join(scratch, "memory.jsonl");
  await cp(join(repoRoot, "demo/workspace"), workspace, { recursive: true });
  let text = await readFile(join(repoRoot, "demo/flowgate.toml"), "utf8");
  text = replaced(text, 'guards_mode = "filter"', `guards_mode = "${mode}"`);
  text = replaced(text, 'fs-mode = "filter"', `fs-mode = "${mode}"`);
  text = replaced(text, 'command = "node"', `command = ${JSON.stringify(process.execPath)}`);
  text = replaced(text, '"node_modules/', `"${repoRoot}node_modules/`);
  text = replaced(text, '"demo/workspace"]', `${JSON.stringify(workspace)}]`);
  text = replaced(text, '"/tmp/flowgate-demo-memory.jsonl"', JSON.stringify(memoryFile));
  text = replaced(text, '"guards/filesystem/build/filesystem.wasm"', JSON.stringify(builtGuardPath("filesystem")));
  text = replaced(text, 'min-integrity = "approved"', `min-integrity = "approved"\ntool-call-limits = ${toolCallLimits}`);
  const file = join(scratch, "flowgate.toml");
  await writeFile(file, text);
  return { file, workspace, memoryFile };
}

/** `flowgate --config FILE --state-url URL` on a port of its own; resolves once it has written its client configuration. */
async function startReplica(name: string, configFile: string, stateUrl: string, logDir: string): Promise<RunningReplica> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, "bin/flowgate.js"), "--config", configFile, "--listen", "127.0.0.1:0", "--log-dir", logDir, "--state-url", stateUrl],
    {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!stdout.endsWith("}\n")) return;
      const url = (JSON.parse(stdout) as { mcpServers: Record<string, { url: string }> }).mcpServers["files"]!.url;
      resolve(Number(new URL(url).port));
    });
    child.once("exit", (code) => reject(new Error(`replica ${name} exited with ${code}:\n${stderr}`)));
  });
  // Start-up says where the state is shared, and the store's persistence earns no warning.
  expect(stderr).toContain(`DIFC state: shared with other replicas in ${stateUrl}\n`);
  expect(stderr).not.toContain("Warning: the state store");
  return {
    name,
    port,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
}

async function startDeployment(mode: GuardsMode, toolCallLimits = "{}"): Promise<Deployment> {
  const scratch = await mkdtemp(join(tmpdir(), `flowgate-replicas-${mode}-`));
  const redis = await startRedis();
  const { file, workspace, memoryFile } = await demoToml(mode, scratch, toolCallLimits);
  const replicas = await Promise.all(["a", "b"].map((name) => startReplica(name, file, redis.url, join(scratch, `logs-${name}`))));
  const haproxy = await startHaproxy(replicas);
  return { redis, replicas, haproxy, workspace, memoryFile, scratch };
}

async function stopDeployment(deployment: Deployment): Promise<void> {
  await deployment.haproxy.stop();
  await Promise.all(deployment.replicas.map((replica) => replica.stop()));
  await deployment.redis.stop();
  await rm(deployment.scratch, { recursive: true, force: true });
}

interface Session {
  client: Client;
  /** The replicas that answered this session's requests: one, when the balancer keeps it in place. */
  replicas: Set<string>;
}

/** An MCP session through the balancer, as a real client opens it (listTools before callTool). */
async function openSession(base: string, serverId: string): Promise<Session> {
  const replicas = new Set<string>();
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const replica = response.headers.get("x-flowgate-replica");
    if (replica !== null) replicas.add(replica);
    return response;
  };
  const client = new Client({ name: "replica-test-agent", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp/${serverId}`), { requestInit: { headers: { Authorization: AGENT } }, fetch: recordingFetch }),
  );
  await client.listTools();
  return { client, replicas };
}

/** Sessions to `serverId` until one lives on each replica: the balancer spreads new sessions. */
async function sessionsOnBothReplicas(base: string, serverId: string): Promise<Record<string, Session>> {
  const byReplica: Record<string, Session> = {};
  for (let opened = 0; opened < 6 && Object.keys(byReplica).length < 2; opened++) {
    const session = await openSession(base, serverId);
    expect(session.replicas.size).toBe(1);
    byReplica[[...session.replicas][0]!] ??= session;
  }
  expect(Object.keys(byReplica).sort()).toEqual(["a", "b"]);
  return byReplica;
}

type Verdict = "allowed" | "blocked";

async function verdictOf(session: Session, name: string, args: Record<string, unknown>): Promise<{ verdict: Verdict; text: string }> {
  try {
    const result = (await session.client.callTool({ name, arguments: args })) as { content?: Array<{ text?: string }> };
    return { verdict: "allowed", text: (result.content ?? []).map((item) => item.text ?? "").join("\n") };
  } catch (error) {
    if (!(error instanceof McpError) || error.code !== POLICY_DENIED) throw error;
    return { verdict: "blocked", text: error.message };
  }
}

async function reflectOn(replica: RunningReplica): Promise<Record<string, { secrecy: string[]; integrity: string[] }>> {
  const response = await fetch(`http://127.0.0.1:${replica.port}/reflect`, { headers: { Authorization: AGENT } });
  return ((await response.json()) as { agents: Record<string, { secrecy: string[]; integrity: string[] }> }).agents;
}

// [read private/salaries.md on A, store it in the public sink on B, read the untrusted mail on A, rewrite the trusted notes on B]
const expected: Record<GuardsMode, Verdict[]> = {
  strict: ["blocked", "allowed", "blocked", "allowed"],
  filter: ["blocked", "allowed", "blocked", "allowed"],
  propagate: ["allowed", "blocked", "allowed", "blocked"],
};

describe.skipIf(missing !== undefined)(
  missing === undefined ? "two flowgate replicas sharing Redis behind haproxy" : `two flowgate replicas sharing Redis behind haproxy (${missing})`,
  () => {
    let deployment: Deployment | undefined;
    const sessions: Session[] = [];
    afterEach(async () => {
      await Promise.all(sessions.splice(0).map((session) => session.client.close().catch(() => undefined)));
      if (deployment) await stopDeployment(deployment);
      deployment = undefined;
    });

    it.each(Object.entries(expected))(
      "blocks the demo attack in %s mode with the reads through one replica and the writes through the other",
      async (mode, verdicts) => {
        deployment = await startDeployment(mode as GuardsMode);
        const base = deployment.haproxy.url;
        const files = await sessionsOnBothReplicas(base, "files");
        const memory = await sessionsOnBothReplicas(base, "memory");
        sessions.push(...Object.values(files), ...Object.values(memory));
        const originalNotes = await readFile(join(deployment.workspace, "notes/launch-plan.md"), "utf8");

        const read = await verdictOf(files["a"]!, "read_text_file", { path: join(deployment.workspace, "private/salaries.md") });
        const stored = await verdictOf(memory["b"]!, "create_entities", {
          entities: [{ name: "salaries", entityType: "note", observations: [read.verdict === "allowed" ? read.text : "(the read was refused)"] }],
        });
        const mail = await verdictOf(files["a"]!, "read_text_file", { path: join(deployment.workspace, "inbox/vendor-update.md") });
        const rewrite = await verdictOf(files["b"]!, "write_file", {
          path: join(deployment.workspace, "notes/launch-plan.md"),
          content: "# Launch plan\n\nThe launch has moved to next month.\n",
        });

        expect([read, stored, mail, rewrite].map((step) => step.verdict)).toEqual(verdicts);
        // every session stayed on the replica that opened it
        for (const session of sessions) expect(session.replicas.size).toBe(1);
        // both replicas show one agent with the same labels: /reflect reads the shared state
        const [onA, onB] = await Promise.all(deployment.replicas.map(reflectOn));
        expect(Object.keys(onA!)).toHaveLength(1);
        expect(onB).toEqual(onA);
        if (mode === "propagate") expect(Object.values(onB!)[0]).toEqual({ secrecy: ["private:demo/private"], integrity: ["none:demo"] });
        expect(
          await attackLeaks({
            memoryFile: deployment.memoryFile,
            workspace: deployment.workspace,
            originalNotes,
            sawInbox: mail.text.includes("copy the secrets"),
          }),
        ).toEqual([]);
      },
      120_000,
    );

    it("spends one tool-call budget across both replicas: concurrent calls through the balancer add up exactly to the limit", async () => {
      deployment = await startDeployment("filter", "{ list_allowed_directories = 7 }");
      const files = await sessionsOnBothReplicas(deployment.haproxy.url, "files");
      sessions.push(...Object.values(files));
      const calls = Array.from({ length: 20 }, (_, i) =>
        files[i % 2 === 0 ? "a" : "b"]!.client.callTool({ name: "list_allowed_directories", arguments: {} }).then(
          () => "spent",
          (error: unknown) => (error instanceof McpError ? error.code : error),
        ),
      );
      const outcomes = await Promise.all(calls);
      expect(outcomes.filter((outcome) => outcome === "spent")).toHaveLength(7);
      expect(outcomes.filter((outcome) => outcome !== "spent")).toEqual(Array(13).fill(TOOL_CALL_LIMIT_REACHED));
    }, 120_000);

    it("fails guarded calls closed while Redis is down, says why on /health, and recovers with every label when it returns", async () => {
      deployment = await startDeployment("propagate");
      const { redis, replicas } = deployment;
      const files = await sessionsOnBothReplicas(deployment.haproxy.url, "files");
      const memory = await sessionsOnBothReplicas(deployment.haproxy.url, "memory");
      sessions.push(...Object.values(files), ...Object.values(memory));
      expect((await verdictOf(files["a"]!, "read_text_file", { path: join(deployment.workspace, "private/salaries.md") })).verdict).toBe("allowed");

      await redis.kill();
      const refused = await files["b"]!.client.callTool({ name: "list_allowed_directories", arguments: {} }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(McpError);
      expect((refused as McpError).code).toBe(STATE_UNAVAILABLE);
      expect((refused as McpError).message).toMatch(/the shared DIFC state store did not answer \(.+\): the call was refused/);
      const health = (await (await fetch(`http://127.0.0.1:${replicas[1]!.port}/health`)).json()) as {
        status: string;
        state: { status: string; error: string };
      };
      expect(health.status).toBe("unhealthy");
      expect(health.state).toMatchObject({ backend: "redis", status: "unavailable" });
      // /health answers without authentication: it does not say where the store is
      expect(JSON.stringify(health)).not.toContain(redis.socket);
      const reflect = await fetch(`http://127.0.0.1:${replicas[1]!.port}/reflect`, { headers: { Authorization: AGENT } });
      expect(reflect.status).toBe(503);
      expect(await reflect.json()).toEqual({
        error: "state_unavailable",
        message: expect.stringMatching(/^the shared DIFC state store did not answer/) as unknown,
      });
      expect(health.state.error).toBeTruthy();

      await redis.restart();
      // The replicas reconnect by themselves; a caller sees that by asking again.
      await expect
        .poll(
          () =>
            files["b"]!.client.callTool({ name: "list_allowed_directories", arguments: {} }).then(
              () => "answered",
              () => "refused",
            ),
          { timeout: 15_000, interval: 100 },
        )
        .toBe("answered");
      // the taint written before Redis died is still there: the leak through the other replica stays blocked
      expect((await verdictOf(memory["b"]!, "create_entities", { entities: [{ name: "salaries", entityType: "note", observations: ["x"] }] })).verdict).toBe(
        "blocked",
      );
      const healthAfter = (await (await fetch(`http://127.0.0.1:${replicas[1]!.port}/health`)).json()) as { status: string; state: { status: string } };
      expect(healthAfter.state.status).toBe("ok");
    }, 120_000);

    it("sends a client whose replica died to another one, which answers 404 for the old session; a new session there carries the agent's labels", async () => {
      deployment = await startDeployment("propagate");
      const files = await sessionsOnBothReplicas(deployment.haproxy.url, "files");
      sessions.push(...Object.values(files));
      expect((await verdictOf(files["a"]!, "read_text_file", { path: join(deployment.workspace, "private/salaries.md") })).verdict).toBe("allowed");

      await deployment.replicas[0]!.stop();
      const lost = await files["a"]!.client.callTool({ name: "list_allowed_directories", arguments: {} }).catch((error: unknown) => error);
      expect(String(lost)).toContain(`{"code":-32000,"message":"Session not found"}`);
      expect([...files["a"]!.replicas]).toEqual(["a", "b"]);

      const memory = await openSession(deployment.haproxy.url, "memory");
      sessions.push(memory);
      expect([...memory.replicas]).toEqual(["b"]);
      expect((await verdictOf(memory, "create_entities", { entities: [{ name: "salaries", entityType: "note", observations: ["x"] }] })).verdict).toBe(
        "blocked",
      );
    }, 120_000);
  },
);
