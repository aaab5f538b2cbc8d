import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import net from "node:net";

/** A process the benchmark started: in its own process group, killed with its children. */
export interface BenchProcess {
  child: ChildProcess;
  pid: number;
  output: () => string;
  /** Resolves with the first stdout+stderr text that matches, or rejects after timeoutMs. */
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<RegExpMatchArray>;
  kill: () => Promise<void>;
}

const started = new Set<BenchProcess>();

/** Every process lives at most this long, whatever happens to the benchmark. */
const MAX_LIFETIME_MS = 15 * 60_000;

export function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): BenchProcess {
  const child = spawn(command, args, { env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  let text = "";
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    for (const wake of waiters) wake();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const lifetime = setTimeout(() => void handle.kill(), MAX_LIFETIME_MS);
  lifetime.unref();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const handle: BenchProcess = {
    child,
    pid: child.pid,
    output: () => text,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (match) {
            cleanup();
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern} from ${command}; output:\n${text.slice(-2000)}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`${command} exited while waiting for ${pattern}; output:\n${text.slice(-2000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off("exit", onExit);
        };
        waiters.add(check);
        child.once("exit", onExit);
        check();
      }),
    kill: async () => {
      clearTimeout(lifetime);
      started.delete(handle);
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-handle.pid, "SIGTERM");
      } catch {
        return;
      }
      const forced = setTimeout(() => {
        try {
          process.kill(-handle.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, 3000);
      await exited;
      clearTimeout(forced);
    },
  };
  started.add(handle);
  return handle;
}

/** Kills every process still running; called on exit and on SIGINT. */
export async function killAll(): Promise<void> {
  await Promise.all([...started].map((p) => p.kill()));
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resident set size of one process (not its children), in MiB. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Runs a process to its end (killed after timeoutMs) and returns its stdout; a non-zero exit is an error. */
export async function runToExit(command: string, args: string[], timeoutMs: number): Promise<string> {
  const child = startProcess(command, args);
  // "close", not "exit": only then has all of stdout been read.
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.child.once("close", (code, signal) => resolve([code, signal])));
  let stdout = "";
  child.child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  const timer = setTimeout(() => void child.kill(), timeoutMs);
  try {
    const [code, signal] = await closed;
    if (code !== 0) {
      const what = [command, ...args].join(" ").slice(0, 200);
      throw new Error(`${what} ended with ${signal ? `${signal} (time limit ${timeoutMs} ms)` : `exit code ${code}`}:\n${child.output().slice(-2000)}`);
    }
    return stdout;
  } finally {
    clearTimeout(timer);
    await child.kill();
  }
}
