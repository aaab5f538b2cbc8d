// Measures what a log line costs the event loop with flowgate's buffered appends, against the
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

async function buffered(dir: string): Promise<void> {
  const logger = openFileLogger({ dir, stderr: () => undefined });
  const start = performance.now();
  for (let i = 0; i < LINES; i++) logger.log("info", "backend", MESSAGE);
  const enqueued = performance.now() - start;
  await logger.close();
  const total = performance.now() - start;
  console.log(`flowgate buffered appends: event loop busy ${perLine(enqueued, LINES)}; all ${LINES} lines on disk after ${total.toFixed(0)} ms`);
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
  await buffered(dir);
  synchronous(dir, false);
  synchronous(dir, true);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
