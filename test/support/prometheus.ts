// A real Prometheus server (Debian's package) scraping one target every second, for the metrics
// tests: its own temp directory for the config and the TSDB, its web port on 127.0.0.1. Tests
// skip, naming the reason, where it is absent.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { freePort } from "./mcp-servers.ts";
import { ended } from "./processes.ts";

const CANDIDATES = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"];

/** The prometheus binary, or undefined when none is installed. */
export const PROMETHEUS = CANDIDATES.find((path) => existsSync(path));
/** For the names of tests that cannot run here. */
export const NO_PROMETHEUS_REASON = "skipped: no prometheus installed (apt-get install prometheus)";

/** One sample of an instant query: its labels and value. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface PrometheusUnderTest {
  /** The instant query's result vector (empty until the series has been scraped). */
  query(promql: string): Promise<PromSample[]>;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `target` (host:port, path /metrics) every second, and waits until it is ready. */
export async function startPrometheus(target: string): Promise<PrometheusUnderTest> {
  if (PROMETHEUS === undefined) throw new Error(NO_PROMETHEUS_REASON);
  const dir = await mkdtemp(join(tmpdir(), "flowgate-prometheus-"));
  const config = join(dir, "prometheus.yml");
  await writeFile(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "scrape_configs:",
      "  - job_name: flowgate",
      "    static_configs:",
      `      - targets: ["${target}"]`,
      "",
    ].join("\n"),
  );
  const web = `127.0.0.1:${await freePort()}`;
  const child = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=${web}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`prometheus exited with ${code} before it was ready:\n${output}`))),
  );
  exited.catch(() => undefined);
  const stop = async () => {
    await ended(child, "SIGKILL");
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      exited,
      vi.waitFor(
        async () => {
          const ready = await fetch(`http://${web}/-/ready`).catch(() => undefined);
          if (ready?.status !== 200) throw new Error(`prometheus is not ready on ${web}:\n${output}`);
        },
        { timeout: 20_000, interval: 100 },
      ),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    async query(promql) {
      const response = await fetch(`http://${web}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      if (body.status !== "success") throw new Error(`prometheus refused ${promql}: ${body.error ?? response.status}`);
      return body.data!.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
    },
    stop,
  };
}
