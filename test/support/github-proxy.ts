// A flowgate proxy in front of the fake GitHub API, with the github-lite guard, for the proxy's
// tests; and the real command-line clients (curl, gh) run against it.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startProxy, type ProxyOptions, type RunningProxy } from "../../src/proxy/index.ts";
import { FakeGithub } from "./fake-github.ts";
import { builtGuardPath } from "./guards.ts";
import { RecordingLogger } from "./recording-logger.ts";

export const GH_BIN = "/usr/bin/gh";
export const GH_INSTALLED = existsSync(GH_BIN);
export const PROXY_TOKEN = "fallback-token-for-tests";

export interface GithubProxy {
  github: FakeGithub;
  proxy: RunningProxy;
  logger: RecordingLogger;
  close(): Promise<void>;
}

/** The fake API and a proxy in front of it; `policy` is the allow-only policy object, or null for none. */
export async function startGithubProxy(policy: Record<string, unknown> | null, options: Partial<ProxyOptions> = {}): Promise<GithubProxy> {
  const github = await new FakeGithub().start();
  const logger = new RecordingLogger();
  const proxy = await startProxy({
    guardPath: builtGuardPath("github-lite"),
    policyJson: policy === null ? undefined : JSON.stringify(policy),
    githubToken: PROXY_TOKEN,
    listen: "127.0.0.1:0",
    apiUrl: github.url,
    guardsMode: "strict",
    forcePublicRepos: false,
    tlsDir: undefined,
    trustedBots: [],
    trustedUsers: [],
    logger,
    env: {},
    ...options,
  });
  return {
    github,
    proxy,
    logger,
    async close() {
      await proxy.close();
      await github.close();
    },
  };
}

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command-line client to completion (killed after 30 s), never throwing on a non-zero exit. */
export function runCommand(file: string, args: readonly string[], env: Record<string, string> = {}): Promise<CommandRun> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", ...env }, timeout: 30_000, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The environment that points Debian's gh at the proxy as a GitHub Enterprise host on
 * 127.0.0.1:<port> (it then calls https://<host>/api/v3 and /api/graphql), trusting the
 * proxy's CA through SSL_CERT_FILE, with a home and config directory of its own.
 */
export function ghEnv(proxy: RunningProxy): Record<string, string> {
  if (!proxy.tls) throw new Error("gh talks to enterprise hosts over HTTPS only: start the proxy with a tlsDir");
  const home = mkdtempSync(join(tmpdir(), "flowgate-gh-home-"));
  mkdirSync(join(home, "config"));
  return {
    HOME: home,
    GH_CONFIG_DIR: join(home, "config"),
    GH_HOST: `127.0.0.1:${proxy.address.port}`,
    GH_ENTERPRISE_TOKEN: "client-token",
    SSL_CERT_FILE: proxy.tls.caCertPath,
    GH_PROMPT_DISABLED: "1",
    GH_NO_UPDATE_NOTIFIER: "1",
    NO_COLOR: "1",
  };
}

const FLOWGATE = fileURLToPath(new URL("../../bin/flowgate.js", import.meta.url));

export interface ProxyProcess {
  child: ChildProcess;
  /** Where it listens, from its banner. */
  url: string;
  stderr(): string;
  /** Resolves once stderr holds `text`. */
  printed(text: string): Promise<void>;
  /** The exit code (null when killed by a signal). */
  exit: Promise<number | null>;
}

/** `flowgate proxy <args>` as a process with only PATH and `env` in its environment, once its banner is out. */
export async function spawnProxyProcess(args: readonly string[], env: Record<string, string>): Promise<ProxyProcess> {
  const child = spawn(process.execPath, [FLOWGATE, "proxy", ...args], { env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  const waiting: Array<{ text: string; resolve: () => void }> = [];
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const wait of waiting.filter(({ text }) => stderr.includes(text))) {
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve();
    }
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const printed = (text: string) => (stderr.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ text, resolve })));
  // The banner's last line: the gh example over TLS, the curl one otherwise.
  await Promise.race([
    Promise.any([printed("gh issue list -R org/repo\n"), printed("/repos/org/repo/issues\n")]),
    exit.then((code) => {
      throw new Error(`exited with ${code} before listening:\n${stderr}`);
    }),
  ]);
  return { child, url: /Listening: (\S+)/.exec(stderr)![1]!, stderr: () => stderr, printed, exit };
}
