import { execFileSync } from "node:child_process";

/** Process ids of this test process's children whose command line contains every one of `parts`. */
export function childPids(...parts: string[]): number[] {
  const out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" });
  return out
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && parts.every((part) => line.includes(part)))
    .map((line) => Number(line.split(/\s+/)[0]));
}
