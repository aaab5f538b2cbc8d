// The container entrypoint scripts, run with bash as the image would run them, in front of the
// real gateway (bin/flowgate.js on this Node) and a real stdio backend. No Docker engine runs
// here, so the Docker checks are skipped, except where a failing `docker` stand-in shows that a
// check stops the script.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { VERSION } from "../../src/cli/version.ts";
import { builtGuardPath } from "../support/guards.ts";
import { connectAgent, type ClientEntry } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, freePort } from "../support/mcp-servers.ts";

const root = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const RUN_CONTAINERIZED = root("container/run_containerized.sh");
const RUN = root("container/run.sh");
const dir = mkdtempSync(join(tmpdir(), "flowgate-container-"));

/** Only what the scripts need: this Node first on PATH, so `#!/usr/bin/env node` finds Node 24. */
const BASE_ENV = {
  PATH: [dirname(process.execPath), process.env.PATH ?? "/usr/bin:/bin"].join(delimiter),
  HOME: dir,
  AWMG_BIN: root("bin/flowgate.js"),
  FLOWGATE_SKIP_DOCKER_CHECKS: "1",
};

function file(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** A JSON config on stdin whose agent id comes from the environment, as gh-aw writes it. */
const JSON_CONFIG = JSON.stringify({
  mcpServers: { everything: { type: "stdio", command: process.execPath, args: [EVERYTHING_SCRIPT] } },
  gateway: { port: 8000, domain: "localhost", agentId: "${AGENT_FROM_ENV_FILE}" },
});
const TOML_CONFIG = file(
  "gateway.toml",
  `[gateway]\nagent_id = "toml-agent"\n[servers.everything]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(EVERYTHING_SCRIPT)}]\n`,
);
/** Loaded with --env: the agent id for the JSON config, and a marker the backend inherits. */
const ENV_FILE = file("vars.env", "AGENT_FROM_ENV_FILE=agent-from-env-file\nENV_FILE_MARKER=loaded\n");
/** run.sh's default ENV_FILE is .env in the working directory. */
const WORKDIR_WITH_DOT_ENV = dirname(file("workdir/.env", "ENV_FILE_MARKER=dot-env\n"));
const BAKED_GUARDS = dirname(file("baked-guards/github/README.md", "no guard in this test image\n"));
/** Stands in for the Docker CLI where a check must fail: no Docker engine runs here. */
const FAILING_DOCKER_DIR = dirname(file("failing-docker/docker", "#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n"));
chmodSync(join(FAILING_DOCKER_DIR, "docker"), 0o755);

const started = new Set<ChildProcess>();

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function start(script: string, env: Record<string, string>, options: { stdin?: string; args?: string[]; cwd?: string } = {}): Started {
  const child = spawn(script, options.args ?? [], { env: { ...BASE_ENV, ...env }, cwd: options.cwd ?? dir, stdio: ["pipe", "pipe", "pipe"] });
  started.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  child.stdin!.on("error", () => undefined); // a script that refuses to start closes stdin unread
  child.stdin!.end(options.stdin ?? "");
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => (started.delete(child), resolve(code))));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

/** The client configuration the gateway prints once it serves; fails if the process exits first. */
async function clientDocument(run: Started): Promise<{ mcpServers: Record<string, ClientEntry> }> {
  const parsed = new Promise<{ mcpServers: Record<string, ClientEntry> }>((resolve) => {
    run.child.stdout!.on("data", () => {
      try {
        resolve(JSON.parse(run.stdout()) as { mcpServers: Record<string, ClientEntry> });
      } catch {
        // not the whole document yet
      }
    });
  });
  return Promise.race([
    parsed,
    run.exit.then((code) => {
      throw new Error(`exited with ${code} before printing the client configuration:\n${run.stderr()}`);
    }),
  ]);
}

async function stop(run: Started): Promise<number | null> {
  run.child.kill("SIGTERM");
  return run.exit;
}

afterAll(async () => {
  const exits = [...started].map((child) => new Promise((resolve) => child.once("exit", resolve)));
  for (const child of started) child.kill("SIGKILL");
  await Promise.all(exits);
});

interface StartCase {
  case: string;
  script: string;
  env: Record<string, string>;
  /** Which variable carries the free port. */
  portVariable: string;
  /** The endpoint path the client configuration must name: the mode. */
  path: string;
  agent: string;
  /** Variables the backend must have inherited from the gateway. */
  backendEnv: Record<string, string>;
  cwd?: string;
  /** Pass --log-dir as an argument to the script, which must win over MCP_GATEWAY_LOG_DIR. */
  logDirArgument?: boolean;
}

// Each case boots a gateway and a backend (two Node processes): allow for a loaded machine.
describe("entrypoint scripts start the gateway with the reference's environment contract", { timeout: 90_000 }, () => {
  it.each<StartCase>([
    {
      case: "run_containerized.sh, routed by default, guards baked in",
      script: RUN_CONTAINERIZED,
      env: { ENV_FILE, FLOWGATE_BAKED_GUARDS_DIR: BAKED_GUARDS },
      portVariable: "MCP_GATEWAY_PORT",
      path: "/mcp/everything",
      agent: "agent-from-env-file",
      backendEnv: { ENV_FILE_MARKER: "loaded", DOCKER_API_VERSION: "1.44", MCP_GATEWAY_WASM_GUARDS_DIR: BAKED_GUARDS },
    },
    {
      case: "run_containerized.sh, MCP_GATEWAY_MODE=--unified, guard discovery turned off, DOCKER_API_VERSION kept",
      script: RUN_CONTAINERIZED,
      env: { ENV_FILE, MCP_GATEWAY_MODE: "--unified", MCP_GATEWAY_WASM_GUARDS_DIR: "", FLOWGATE_BAKED_GUARDS_DIR: BAKED_GUARDS, DOCKER_API_VERSION: "1.41" },
      portVariable: "MCP_GATEWAY_PORT",
      path: "/mcp",
      agent: "agent-from-env-file",
      backendEnv: { ENV_FILE_MARKER: "loaded", DOCKER_API_VERSION: "1.41", MCP_GATEWAY_WASM_GUARDS_DIR: "" },
    },
    {
      case: "run.sh, JSON on stdin, PORT and MODE=--unified, arguments appended to the flags",
      script: RUN,
      env: { ENV_FILE, MODE: "--unified" },
      logDirArgument: true,
      portVariable: "PORT",
      path: "/mcp",
      agent: "agent-from-env-file",
      backendEnv: { ENV_FILE_MARKER: "loaded", DOCKER_API_VERSION: "1.44" },
    },
    {
      case: "run.sh, CONFIG as TOML, .env from the working directory, MCP_GATEWAY_PORT over PORT",
      script: RUN,
      env: { CONFIG: TOML_CONFIG, PORT: "1" },
      portVariable: "MCP_GATEWAY_PORT",
      path: "/mcp/everything",
      agent: "toml-agent",
      backendEnv: { ENV_FILE_MARKER: "dot-env", DOCKER_API_VERSION: "1.44" },
      cwd: WORKDIR_WITH_DOT_ENV,
    },
  ])("$case", async ({ script, env, portVariable, path, agent, backendEnv, cwd, logDirArgument }) => {
    const port = await freePort();
    const envLogDir = join(dir, `logs-${port}`);
    const argLogDir = join(dir, `argument-logs-${port}`);
    const logDir = logDirArgument ? argLogDir : envLogDir;
    const host: Record<string, string> = script === RUN ? { HOST: "127.0.0.1" } : { MCP_GATEWAY_HOST: "127.0.0.1" };
    const run = start(
      script,
      { ...env, ...host, [portVariable]: String(port), MCP_GATEWAY_LOG_DIR: envLogDir },
      {
        stdin: JSON_CONFIG,
        ...(cwd ? { cwd } : {}),
        ...(logDirArgument ? { args: ["--log-dir", argLogDir] } : {}),
      },
    );
    try {
      const document = await clientDocument(run);
      const entry = document.mcpServers.everything!;
      expect(entry.url).toBe(`http://127.0.0.1:${port}${path}`);
      expect(entry.headers.Authorization).toBe(agent);

      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "healthy", gatewayVersion: VERSION });

      const agentClient = await connectAgent(entry);
      expect(agentClient.getServerVersion()?.version).toBe(VERSION);
      // Unified mode prefixes tool names with the server id.
      const getEnv = (await agentClient.listTools()).tools.find((tool) => tool.name.endsWith("get-env"))!;
      const result = (await agentClient.callTool({ name: getEnv.name })) as { content: { type: string; text: string }[] };
      await agentClient.close();
      expect(JSON.parse(result.content[0]!.text)).toMatchObject(backendEnv);

      expect(existsSync(join(logDir, "mcp-gateway.log"))).toBe(true);
      if (logDirArgument) {
        expect(existsSync(envLogDir)).toBe(false);
        // Arguments may carry secrets, so the command line the script logs only counts them.
        expect(run.stderr()).toMatch(/\[INFO\] Command: .* --config-stdin \(and 2 more arguments\)\n/);
      }
      expect(run.stderr()).toContain("FLOWGATE_SKIP_DOCKER_CHECKS is set");
    } finally {
      expect(await stop(run)).toBe(0);
    }
  });
});

describe("entrypoint scripts refuse to start, with exit code 1 and a message on stderr", () => {
  it.each([
    [
      "run_containerized.sh without MCP_GATEWAY_PORT",
      RUN_CONTAINERIZED,
      {},
      [],
      /MCP_GATEWAY_PORT is not set: it is the port the gateway listens on inside the container/,
    ],
    [
      "run_containerized.sh with a port that is not a number",
      RUN_CONTAINERIZED,
      { MCP_GATEWAY_PORT: "http" },
      [],
      /MCP_GATEWAY_PORT="http" is not a TCP port: use a whole number from 1 to 65535/,
    ],
    ["run_containerized.sh with a port out of range", RUN_CONTAINERIZED, { MCP_GATEWAY_PORT: "65536" }, [], /MCP_GATEWAY_PORT="65536" is not a TCP port/],
    ["run.sh with a PORT that is not a number", RUN, { PORT: "abc" }, [], /PORT="abc" is not a TCP port/],
    [
      "an unknown MCP_GATEWAY_MODE",
      RUN_CONTAINERIZED,
      { MCP_GATEWAY_PORT: "8000", MCP_GATEWAY_MODE: "--proxy" },
      [],
      /MCP_GATEWAY_MODE="--proxy" is not a gateway mode: use --routed .* or --unified/,
    ],
    ["an unknown MODE", RUN, { MODE: "unified" }, [], /MODE="unified" is not a gateway mode/],
    ["run.sh with a CONFIG file that does not exist", RUN, { CONFIG: join(dir, "absent.toml") }, [], /CONFIG=.*absent\.toml: no such file/],
    [
      "a gateway binary that does not exist",
      RUN_CONTAINERIZED,
      { MCP_GATEWAY_PORT: "8000", AWMG_BIN: join(dir, "no-awmg") },
      [],
      /cannot run the gateway: ".*no-awmg" is not an executable file or a command on PATH/,
    ],
    [
      "no Docker socket, in a container, checks on",
      RUN_CONTAINERIZED,
      {
        MCP_GATEWAY_PORT: "8000",
        FLOWGATE_SKIP_DOCKER_CHECKS: "0",
        RUNNING_IN_CONTAINER: "true",
        DOCKER_HOST: `unix://${join(dir, "absent.sock")}`,
        FLOWGATE_DOCKER_SOCKET_WAIT: "0",
        PATH: `${FAILING_DOCKER_DIR}${delimiter}${BASE_ENV.PATH}`,
      },
      [],
      /no Docker socket at .*absent\.sock[\s\S]*FLOWGATE_SKIP_DOCKER_CHECKS=1/,
    ],
    [
      "a Docker daemon that does not answer, in a container, checks on",
      RUN_CONTAINERIZED,
      {
        MCP_GATEWAY_PORT: "8000",
        FLOWGATE_SKIP_DOCKER_CHECKS: "",
        RUNNING_IN_CONTAINER: "true",
        DOCKER_HOST: "tcp://127.0.0.1:9",
        PATH: `${FAILING_DOCKER_DIR}${delimiter}${BASE_ENV.PATH}`,
      },
      [],
      /the Docker daemon at tcp:\/\/127\.0\.0\.1:9 does not answer/,
    ],
    [
      "run.sh in a container hands over to run_containerized.sh, which needs MCP_GATEWAY_PORT",
      RUN,
      { FLOWGATE_SKIP_DOCKER_CHECKS: "no", RUNNING_IN_CONTAINER: "true", PORT: "8000" },
      [],
      /This is a container: handing over to run_containerized\.sh[\s\S]*MCP_GATEWAY_PORT is not set/,
    ],
  ])("%s", async (_case, script, env, args, message) => {
    const run = start(script, env as Record<string, string>, { args, stdin: JSON_CONFIG });
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toMatch(message);
    expect(run.stdout()).toBe("");
  });
});

/** An image's guards folder with a GitHub guard for the proxy to find (the test guard stands in for it). */
const PROXY_BAKED_GUARDS = dirname(dirname(file("proxy-guards/github/00-github-guard.wasm", "")));
writeFileSync(join(PROXY_BAKED_GUARDS, "github", "00-github-guard.wasm"), readFileSync(builtGuardPath("github-lite")));

describe("entrypoint scripts run the GitHub API proxy when the first argument is proxy", () => {
  it.each([
    ["run_containerized.sh, guard found in the baked guards", RUN_CONTAINERIZED, { FLOWGATE_BAKED_GUARDS_DIR: PROXY_BAKED_GUARDS }, [] as string[]],
    ["run.sh, guard given by flag", RUN, {}, ["--guard-wasm", builtGuardPath("github-lite")]],
  ])("%s", async (_case, script, env, guardArgs) => {
    const logDir = mkdtempSync(join(dir, "proxy-logs-"));
    const run = start(script, env, { args: ["proxy", ...guardArgs, "--listen", "127.0.0.1:0", "--log-dir", logDir] });
    try {
      await new Promise<void>((resolve, reject) => {
        run.child.stderr!.on("data", () => {
          if (run.stderr().includes("Connect with:")) resolve();
        });
        void run.exit.then((code) => reject(new Error(`exited with ${code} before listening:\n${run.stderr()}`)));
      });
      expect(run.stderr()).toContain("Starting flowgate GitHub API proxy (awmg proxy)");
      expect(run.stderr()).toMatch(/MCPG GitHub API Proxy\n {2}Listening: http:\/\/127\.0\.0\.1:\d+\n/);
      expect(run.stderr()).toMatch(/ {2}Guard: {5}.*github(-lite|\/00-github-guard)\.wasm\n/);
      expect(existsSync(join(logDir, "proxy.log"))).toBe(true);
      expect(existsSync(join(logDir, "mcp-gateway.log"))).toBe(false);
    } finally {
      expect(await stop(run)).toBe(0);
    }
  });
});
