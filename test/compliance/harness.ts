// Black-box harness for the MCP Gateway Specification's compliance tests (gateway-spec.md §2):
// flowgate runs as a child process (bin/flowgate.js) with its JSON configuration on stdin, and is
// only ever seen through HTTP, its stdout/stderr, its log directory and the `docker run`
// commands it issues, which a stand-in records (docker-stand-in.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../support/mcp-servers.ts";
import { IMAGES } from "./images.ts";

export { IMAGES };

const FLOWGATE = fileURLToPath(new URL("../../bin/flowgate.js", import.meta.url));
const STAND_IN = fileURLToPath(new URL("./docker-stand-in.ts", import.meta.url));

/** The agent id of the spec's harness conventions (§2.0). */
export const AID = "test-agent-0123456789";

// ---- verdicts ---------------------------------------------------------------------------------

export type Verdict =
  | { verdict: "pass"; note?: string }
  | { verdict: "fail"; detail: string }
  /** flowgate does something else on purpose; `row` is the topic of its docs/compatibility.md row. */
  | { verdict: "departure"; row: string; reason: string }
  | { verdict: "not checkable here"; reason: string }
  | { verdict: "pending"; reason: string };

export interface ComplianceCase {
  id: string;
  title: string;
  /** How the harness checks it, for docs/compliance.md. */
  how: string;
  /** Part of the fast subset the vitest file runs on every `npm test`. */
  fast?: boolean;
  run(): Promise<Verdict>;
}

export interface CaseGroup {
  name: string;
  cases: ComplianceCase[];
  /** Stops what the group's cases shared (gateways, mock servers). */
  cleanup?(): Promise<void>;
}

/** A failed expectation inside a case: the case's verdict is `fail` with `what`. */
export function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(what);
}

export const pass = (note?: string): Verdict => (note === undefined ? { verdict: "pass" } : { verdict: "pass", note });
export const departure = (row: string, reason: string): Verdict => ({ verdict: "departure", row, reason });
export const notCheckable = (reason: string): Verdict => ({ verdict: "not checkable here", reason });
export const pending = (reason: string): Verdict => ({ verdict: "pending", reason });

const COMPATIBILITY = fileURLToPath(new URL("../../docs/compatibility.md", import.meta.url));

/** Runs one case; a departure whose row is missing from docs/compatibility.md is a failure. */
export async function runCase(testCase: ComplianceCase): Promise<Verdict> {
  try {
    const verdict = await testCase.run();
    if (verdict.verdict === "departure" && !readFileSync(COMPATIBILITY, "utf8").includes(`\n| ${verdict.row} |`)) {
      return { verdict: "fail", detail: `a departure without its row “${verdict.row}” in docs/compatibility.md` };
    }
    return verdict;
  } catch (error) {
    return { verdict: "fail", detail: error instanceof Error ? error.message : String(error) };
  }
}

// ---- the docker stand-in ----------------------------------------------------------------------

export interface DockerRun {
  pid: number;
  args: string[];
  image: string | null;
  /** Names of the variables the "container" got. */
  env: string[];
}

/** A directory holding a `docker` executable that runs the stand-in on this Node. */
function standInBin(): string {
  const dir = mkdtempSync(join(tmpdir(), "flowgate-compliance-bin-"));
  const docker = join(dir, "docker");
  writeFileSync(docker, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(STAND_IN)} "$@"\n`);
  chmodSync(docker, 0o755);
  return dir;
}

let binDir: string | undefined;

// ---- running the gateway ----------------------------------------------------------------------

export interface LaunchOptions {
  /** Extra environment for the gateway (and through `-e NAME` its containers). */
  env?: Record<string, string>;
  /** Variables removed from the gateway's environment. */
  unset?: string[];
  /** A listen port chosen by the caller (the config's gateway.port is set to it by `base`). */
  port?: number;
}

export interface Launched {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  logDir: string;
  dockerRecord: string;
  output: { stdout: string; stderr: string };
  exited: Promise<number>;
  dockerRuns(): DockerRun[];
  gatewayLog(): string;
}

/** Stands for the listen port in a configuration made by `base`; `launch` puts the port in. */
const PORT = "<PORT>";

/**
 * `{"mcpServers": servers, "gateway": {port, domain: "localhost", agentId: AID, ...gateway}}`:
 * BASE of the spec's harness conventions.
 */
export function base(servers: Record<string, unknown>, gateway: Record<string, unknown> = {}): Record<string, unknown> {
  return { mcpServers: servers, gateway: { port: PORT, domain: "localhost", agentId: AID, ...gateway } };
}

/** Starts flowgate with `config` (an object, serialised to JSON, or raw text) on stdin. */
export async function launch(config: Record<string, unknown> | string, options: LaunchOptions = {}): Promise<Launched> {
  binDir ??= standInBin();
  const port = options.port ?? (await freePort());
  const work = mkdtempSync(join(tmpdir(), "flowgate-compliance-"));
  const logDir = join(work, "logs");
  mkdirSync(logDir);
  const dockerRecord = join(work, "docker-runs.jsonl");
  let text = config;
  if (typeof config !== "string") {
    const gateway = config.gateway as Record<string, unknown> | undefined;
    text = JSON.stringify(gateway && gateway.port === PORT ? { ...config, gateway: { ...gateway, port } } : config);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}`,
    COMPLIANCE_DOCKER_RECORD: dockerRecord,
    MCP_GATEWAY_LOG_DIR: logDir,
  };
  // As on a developer's machine, not a GitHub Actions runner: no repository whose visibility the
  // gateway would ask GitHub about, unless a case names one (with a fake API to ask).
  for (const name of ["GITHUB_REPOSITORY", ...(options.unset ?? [])]) delete env[name];
  Object.assign(env, options.env);
  const child = spawn(process.execPath, [FLOWGATE, "--config-stdin", "--listen", `127.0.0.1:${port}`, "--log-dir", logDir], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output.stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output.stderr += chunk));
  const exited = new Promise<number>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : -1))));
  child.stdin.end(text);
  return {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    logDir,
    dockerRecord,
    output,
    exited,
    dockerRuns: () =>
      existsSync(dockerRecord)
        ? readFileSync(dockerRecord, "utf8")
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => JSON.parse(line) as DockerRun)
        : [],
    gatewayLog: () => {
      const file = join(logDir, "mcp-gateway.log");
      return existsSync(file) ? readFileSync(file, "utf8") : "";
    },
  };
}

/** The first complete JSON document on stdout, once it is there; rejects if the process exits first. */
function stdoutDocument(run: Launched, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`no configuration document on stdout within ${timeoutMs} ms; stderr: ${run.output.stderr.slice(-2000)}`)),
      timeoutMs,
    );
    const attempt = () => {
      try {
        const document = JSON.parse(run.output.stdout) as Record<string, unknown>;
        done(undefined, document);
      } catch {
        // Not complete yet.
      }
    };
    const onExit = (code: number) => done(new Error(`flowgate exited with ${code} before READY; stderr: ${run.output.stderr.slice(-2000)}`));
    function done(error?: Error, document?: Record<string, unknown>) {
      clearTimeout(timer);
      run.child.stdout?.off("data", attempt);
      if (error) reject(error);
      else resolve(document!);
    }
    run.child.stdout?.on("data", attempt);
    void run.exited.then(onExit);
    attempt();
  });
}

export interface Gateway extends Launched {
  document: Record<string, unknown>;
  /** Ends the gateway: POST /close, then waits for the exit (SIGKILL after 45 s). */
  stop(): Promise<number>;
}

/** READY (§2.0): the stdout document, then GET /health answers 200. */
export async function startGateway(config: Record<string, unknown> | string, options: LaunchOptions = {}): Promise<Gateway> {
  const run = await launch(config, options);
  let document: Record<string, unknown>;
  try {
    document = await stdoutDocument(run);
    const health = await fetch(`${run.baseUrl}/health`);
    check(health.status === 200, `READY: /health answered ${health.status}`);
  } catch (error) {
    run.child.kill("SIGKILL");
    throw error;
  }
  return {
    ...run,
    document,
    stop: async () => {
      if (run.child.exitCode !== null) return run.child.exitCode;
      await fetch(`${run.baseUrl}/close`, { method: "POST", headers: { Authorization: credential(document) } }).catch(() => undefined);
      const timer = setTimeout(() => run.child.kill("SIGKILL"), 45_000);
      const code = await run.exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The Authorization value the stdout document tells clients to send. */
function credential(document: Record<string, unknown>): string {
  const entries = Object.values((document.mcpServers ?? {}) as Record<string, { headers?: { Authorization?: string } }>);
  return entries[0]?.headers?.Authorization ?? AID;
}

export interface Rejection {
  code: number;
  output: string;
  dockerRuns: DockerRun[];
  listened: boolean;
}

/** Runs a configuration that must be refused: the exit code (SIGKILL after 10 s), stdout+stderr, docker runs, whether the port answered. */
export async function rejected(config: Record<string, unknown> | string, options: LaunchOptions = {}): Promise<Rejection> {
  const run = await launch(config, options);
  let listened = false;
  const probe = setInterval(() => {
    fetch(`${run.baseUrl}/health`).then(
      () => (listened = true),
      () => undefined,
    );
  }, 50);
  const timer = setTimeout(() => run.child.kill("SIGKILL"), 10_000);
  const code = await run.exited;
  clearTimeout(timer);
  clearInterval(probe);
  return { code, output: `${run.output.stdout}\n${run.output.stderr}`, dockerRuns: run.dockerRuns(), listened };
}

/** REJECT(tokens…) of §2.0, as a check. */
export function expectRejected(rejection: Rejection, ...tokens: string[]): void {
  check(rejection.code === 1, `exit code ${rejection.code}, expected 1; output: ${rejection.output.slice(0, 600)}`);
  for (const token of tokens) check(rejection.output.includes(token), `the output does not mention "${token}": ${rejection.output.slice(0, 600)}`);
  check(!rejection.listened, "the gateway answered HTTP before exiting");
  check(rejection.dockerRuns.length === 0, `${rejection.dockerRuns.length} container(s) started`);
}

// ---- talking to it ----------------------------------------------------------------------------

export interface RpcReply {
  status: number;
  headers: Headers;
  /** The JSON-RPC message (from JSON or the first SSE `data:` event), else undefined. */
  message: Record<string, unknown> | undefined;
  text: string;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RpcReply> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, message: jsonRpcMessage(text), text };
}

/** The reply in a JSON body or an SSE stream: the message with a result or an error (notifications may come first). */
function jsonRpcMessage(text: string): Record<string, unknown> | undefined {
  const candidates = text.trimStart().startsWith("{") ? [text] : [...text.matchAll(/^data: ?(.*)$/gmu)].map((match) => match[1]!);
  const messages: Record<string, unknown>[] = [];
  for (const candidate of candidates) {
    try {
      const value = JSON.parse(candidate) as unknown;
      if (typeof value === "object" && value !== null && "jsonrpc" in value) messages.push(value as Record<string, unknown>);
    } catch {
      // Not JSON: keep looking.
    }
  }
  return messages.find((message) => "result" in message || "error" in message) ?? messages[0];
}

/** An MCP session with one routed server, as RPC(name, …) of §2.0: initialize first, then the session id on each call. */
export class McpSession {
  readonly url: string;
  readonly auth: string;
  #sessionId: string | undefined;
  #nextId = 1;

  private constructor(url: string, auth: string) {
    this.url = url;
    this.auth = auth;
  }

  static async open(gateway: { baseUrl: string }, server: string, auth = AID): Promise<McpSession> {
    const session = new McpSession(`${gateway.baseUrl}/mcp/${server}`, auth);
    const reply = await session.send({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "compliance", version: "1.0.0" } },
    });
    check(reply.status === 200 && reply.message?.result, `initialize on ${server}: HTTP ${reply.status} ${reply.text.slice(0, 300)}`);
    session.#sessionId = reply.headers.get("mcp-session-id") ?? undefined;
    await session.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    return session;
  }

  send(message: unknown, extraHeaders: Record<string, string> = {}): Promise<RpcReply> {
    return post(this.url, message, { Authorization: this.auth, ...(this.#sessionId ? { "Mcp-Session-Id": this.#sessionId } : {}), ...extraHeaders });
  }

  request(method: string, params: Record<string, unknown> = {}, id: string | number = this.#nextId++): Promise<RpcReply> {
    return this.send({ jsonrpc: "2.0", id, method, params });
  }

  callTool(name: string, args: Record<string, unknown> = {}, id?: string | number): Promise<RpcReply> {
    return this.request("tools/call", { name, arguments: args }, id);
  }
}

/** The text of a tools/call result's first content item. */
export function resultText(reply: RpcReply): string {
  const result = reply.message?.result as { content?: { text?: string }[] } | undefined;
  return result?.content?.[0]?.text ?? "";
}

export async function health(gateway: { baseUrl: string }): Promise<{ status: number; contentType: string; body: Record<string, unknown> }> {
  const response = await fetch(`${gateway.baseUrl}/health`);
  return { status: response.status, contentType: response.headers.get("content-type") ?? "", body: (await response.json()) as Record<string, unknown> };
}

export function serverStatus(body: Record<string, unknown>, server: string): string | undefined {
  return (body.servers as Record<string, { status?: string }> | undefined)?.[server]?.status;
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined, or `timeoutMs` passes (then undefined). */
export async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A line of mcp-gateway.log that `matches`, waiting up to `withinMs` for it: lines reach the file in batches (every 50 ms). */
export function logLine(run: Launched, matches: (line: string) => boolean, withinMs = 2000): Promise<string | undefined> {
  return poll(async () => run.gatewayLog().split("\n").find(matches), withinMs);
}

/** Whether a process still runs. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One server entry running the echo image in a "container". */
export const echoServer = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ container: IMAGES.echo, ...extra });
