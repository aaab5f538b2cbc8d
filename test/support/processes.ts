import { execFileSync, type ChildProcess } from "node:child_process";

/** Process ids of this test process's children whose command line contains every one of `parts`. */
export function childPids(...parts: string[]): number[] {
  const out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" });
  return out
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && parts.every((part) => line.includes(part)))
    .map((line) => Number(line.split(/\s+/)[0]));
}

/** Sends `signal` to a child process and resolves once it has exited (at once if it already has). */
export function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  return exited;
}
