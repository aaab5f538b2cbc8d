// Measures what a log line costs the event loop with flowgate's batched appends, against the
// reference's design (a synchronous write and fsync per line). Run: npm run bench:logs
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openFileLogger } from "../src/log/file-logger.ts";
import { formatTextLine } from "../src/log/line-format.ts";

const LINES = 20_000;
const FSYNC_LINES = 2_000;
const MESSAGE = "[s1] backend responded to tools/call list_issues after 182 ms with 30 items for session 1b9d6bcd";

function perLine(ms: number, lines: number): string {
  return `${((ms * 1000) / lines).toFixed(2)} µs/line`;
}

// Lines logged in one turn are appended together at its end; a burst of 100 lines per turn is
// a busy gateway. Everything here runs on the event loop, the appends included.
async function batchedPerTurn(dir: string): Promise<void> {
  const logger = openFileLogger({ dir, stderr: () => undefined });
  const start = performance.now();
  for (let i = 0; i < LINES; i++) {
    logger.log("info", "backend", MESSAGE);
    if (i % 100 === 99) await logger.flush();
  }
  const busy = performance.now() - start;
  await logger.close();
  console.log(`flowgate (sanitise + format, one append per turn): event loop busy ${perLine(busy, LINES)} (${LINES} lines)`);
}

function synchronous(dir: string, fsync: boolean): void {
  const lines = fsync ? FSYNC_LINES : LINES;
  const fd = openSync(join(dir, `sync-${fsync}.log`), "a", 0o644);
  const start = performance.now();
  for (let i = 0; i < lines; i++) {
    writeSync(fd, formatTextLine(new Date(), "info", "backend", MESSAGE));
    if (fsync) fsyncSync(fd);
  }
  const elapsed = performance.now() - start;
  closeSync(fd);
  const name = fsync ? "synchronous write + fsync per line (reference)" : "synchronous write per line, no fsync";
  console.log(`${name}: event loop busy ${perLine(elapsed, lines)} (${lines} lines)`);
}

const dir = mkdtempSync(join(tmpdir(), "flowgate-bench-logs-"));
try {
  await batchedPerTurn(dir);
  synchronous(dir, false);
  synchronous(dir, true);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
