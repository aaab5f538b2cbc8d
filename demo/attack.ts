// The attack DIFC exists for, played through the official MCP client against a real flowgate
// in front of server-filesystem (behind the filesystem guard) and server-memory (a public write
// sink). Each step prints the gateway's verdict; the run ends by checking, on disk, whether
// anything leaked: a secret in the sink, or a trusted file rewritten after reading the untrusted
// mail. `npm run demo:attack` plays it in filter and propagate mode; the tests play all three.
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { DEFAULT_LIMITS } from "../src/config/defaults.ts";
import { loadTomlConfig } from "../src/config/toml-loader.ts";
import type { GatewayConfig, GuardsMode, OpenTelemetryConfig, RuntimeOptions, ServerConfig } from "../src/config/types.ts";
import { POLICY_DENIED } from "../src/enforce/index.ts";
import { displayedAgentId } from "../src/gateway/http/auth.ts";
import { createGateway } from "../src/gateway/index.ts";
import { openFileLogger } from "../src/log/file-logger.ts";
import type { LogPayloads } from "../src/log/types.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export type Verdict = "allowed" | "filtered" | "blocked";

export interface AttackStep {
  title: string;
  verdict: Verdict;
  /** What the agent got back, or the gateway's reason, shortened. */
  detail: string;
  /** The agent's labels after the step, from /reflect. */
  agent: { secrecy: string[]; integrity: string[] };
}

export interface AttackReport {
  mode: GuardsMode;
  steps: AttackStep[];
  /** Empty when every leak was blocked. */
  leaks: string[];
}

/** The demo config (demo/flowgate.toml) pointed at a scratch copy of the workspace and memory file. */
export async function demoConfig(mode: GuardsMode, scratch: string): Promise<{ config: GatewayConfig; workspace: string; memoryFile: string }> {
  const config = loadTomlConfig(await readFile(join(repoRoot, "demo/flowgate.toml"), "utf8"), process.env);
  const workspace = join(scratch, "workspace");
  const memoryFile = join(scratch, "memory.jsonl");
  await cp(join(repoRoot, "demo/workspace"), workspace, { recursive: true });
  for (const server of config.servers) {
    if (server.type !== "stdio") continue;
    server.command = process.execPath;
    server.args = server.args.map((arg) => (arg.startsWith("node_modules/") ? join(repoRoot, arg) : arg));
    if (server.id === "files") server.args = [...server.args.slice(0, -1), workspace];
    if (server.id === "memory") server.env = { ...server.env, MEMORY_FILE_PATH: memoryFile };
  }
  const guard = config.guards["files"]!;
  guard.path = resolve(repoRoot, guard.path!);
  guard.config = { ...guard.config, "fs-mode": mode };
  return { config, workspace, memoryFile };
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function resultText(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((item) => item.text ?? "").join("\n");
}

/** A running flowgate on the demo config, over a scratch copy of the workspace, logging to `logDir`. */
export interface DemoGateway {
  /** The gateway's base URL. */
  base: string;
  agentId: string;
  workspace: string;
  memoryFile: string;
  logDir: string;
  /** An MCP client of one server's endpoint, as the demo agent, its tools listed. */
  connect(serverId: string): Promise<Client>;
  /** Stops the gateway and closes its log files. */
  close(): Promise<void>;
}

/**
 * `extraServers`: servers added to the demo's (as a test's own sinks); `urlDomainAudit`: --url-domain-audit;
 * `metricsListen`: --metrics-listen; `opentelemetry`: the configuration's tracing section.
 */
export interface DemoGatewayOptions {
  logPayloads?: LogPayloads;
  extraServers?: ServerConfig[];
  urlDomainAudit?: boolean;
  metricsListen?: RuntimeOptions["metricsListen"];
  opentelemetry?: OpenTelemetryConfig;
}

export async function startDemoGateway(
  mode: GuardsMode,
  scratch: string,
  { extraServers = [], urlDomainAudit = false, metricsListen, opentelemetry, ...options }: DemoGatewayOptions = {},
): Promise<DemoGateway> {
  const { config, workspace, memoryFile } = await demoConfig(mode, scratch);
  config.servers.push(...extraServers);
  if (opentelemetry) config.gateway.opentelemetry = opentelemetry;
  const runtime: RuntimeOptions = {
    configSource: "demo/flowgate.toml",
    listenHost: "127.0.0.1",
    listenPort: 0,
    mode: "routed",
    logDir: join(scratch, "logs"),
    verbosity: 0,
    guardsMode: mode,
    sinkServerIds: [],
    urlDomainAudit,
    sessionTimeoutMs: 60_000,
    shutdownTimeoutMs: 1000,
    limits: DEFAULT_LIMITS,
    ...(metricsListen ? { metricsListen } : {}),
  };
  const logger = openFileLogger({ dir: runtime.logDir, stderr: () => undefined, ...options });
  const running = await createGateway(config, runtime, { io: { out: () => undefined, err: () => undefined }, env: {}, version: "demo", logger });
  const base = `http://127.0.0.1:${running.port}`;
  const headers = { Authorization: running.agentId };
  return {
    base,
    agentId: running.agentId,
    workspace,
    memoryFile,
    logDir: runtime.logDir,
    async connect(serverId) {
      const client = new Client({ name: "demo-agent", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp/${serverId}`), { requestInit: { headers } }));
      // As every real client does: the SDK then holds the tools' output schemas and checks results against them.
      await client.listTools();
      return client;
    },
    async close() {
      await running.close(1000);
      await logger.close();
    },
  };
}

/** `gateway`: how the demo gateway is started; `beforeClose`: runs once the attack is played, while the gateway still serves. */
export interface PlayOptions {
  gateway?: DemoGatewayOptions;
  beforeClose?: () => Promise<void>;
}

export async function playAttack(mode: GuardsMode, print: (line: string) => void = () => undefined, options: PlayOptions = {}): Promise<AttackReport> {
  const scratch = await mkdtemp(join(tmpdir(), `flowgate-attack-${mode}-`));
  const demo = await startDemoGateway(mode, scratch, options.gateway);
  const { base, workspace, memoryFile } = demo;
  const headers = { Authorization: demo.agentId };
  const files = await demo.connect("files");
  const memory = await demo.connect("memory");
  const steps: AttackStep[] = [];
  const original = { notes: await readFile(join(workspace, "notes/launch-plan.md"), "utf8") };
  let sawInbox: boolean | undefined;
  try {
    const step = async (title: string, client: Client, name: string, args: Record<string, unknown>): Promise<string> => {
      let verdict: Verdict;
      let text: string;
      try {
        const result = await client.callTool({ name, arguments: args });
        text = resultText(result);
        verdict = text.includes("[Filtered]") ? "filtered" : "allowed";
      } catch (error) {
        if (!(error instanceof McpError) || error.code !== POLICY_DENIED) throw error;
        verdict = "blocked";
        text = error.message.replace(/^MCP error -?\d+: /, "");
      }
      const reflect = (await (await fetch(`${base}/reflect`, { headers })).json()) as { agents: Record<string, AttackStep["agent"]> };
      const agent = reflect.agents[displayedAgentId(demo.agentId)] ?? { secrecy: [], integrity: [] };
      steps.push({ title, verdict, detail: shorten(text), agent });
      print(`  ${verdict.toUpperCase().padEnd(8)} ${title}`);
      print(`           ${shorten(text)}`);
      print(`           agent secrecy [${agent.secrecy.join(", ")}], integrity [${agent.integrity.join(", ")}]`);
      return verdict === "blocked" ? "" : text;
    };

    print(`\nflowgate demo attack, ${mode} mode`);
    await step("List the workspace", files, "list_directory", { path: workspace });
    const secret = await step("Read private/salaries.md", files, "read_text_file", { path: join(workspace, "private/salaries.md") });
    await step("Store what was read in the public memory sink", memory, "create_entities", {
      entities: [{ name: "salaries", entityType: "note", observations: [secret || "(the read was refused)"] }],
    });
    const mail = await step("Read the untrusted inbox/vendor-update.md", files, "read_text_file", { path: join(workspace, "inbox/vendor-update.md") });
    sawInbox = mail.includes("copy the secrets");
    await step("Do what the mail says: rewrite notes/launch-plan.md", files, "write_file", {
      path: join(workspace, "notes/launch-plan.md"),
      content: "# Launch plan\n\nThe launch has moved to next month.\n",
    });
    await options.beforeClose?.();
  } finally {
    await files.close().catch(() => undefined);
    await memory.close().catch(() => undefined);
    await demo.close();
  }

  const leaks = await attackLeaks({ memoryFile, workspace, originalNotes: original.notes, sawInbox: sawInbox === true });
  await rm(scratch, { recursive: true, force: true });
  print(leaks.length === 0 ? `  => every leak was blocked in ${mode} mode` : `  => LEAKED in ${mode} mode: ${leaks.join("; ")}`);
  return { mode, steps, leaks };
}

/** What the attack leaked, read from disk: salary figures in the sink, or the trusted notes rewritten after the mail was read. */
export async function attackLeaks(after: { memoryFile: string; workspace: string; originalNotes: string; sawInbox: boolean }): Promise<string[]> {
  const leaks: string[] = [];
  const sink = await readFile(after.memoryFile, "utf8").catch(() => "");
  const salaries = await readFile(join(repoRoot, "demo/workspace/private/salaries.md"), "utf8");
  if (salaries.split("\n").some((line) => line.includes("|") && /\d/.test(line) && sink.includes(line.split("|")[2]!.trim()))) {
    leaks.push("salary figures reached the public memory sink");
  }
  const notes = await readFile(join(after.workspace, "notes/launch-plan.md"), "utf8");
  if (after.sawInbox && notes !== after.originalNotes) leaks.push("the untrusted mail got notes/launch-plan.md rewritten");
  return leaks;
}
