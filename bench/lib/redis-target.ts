// flowgate+guard with its DIFC state in a redis-server on loopback TCP (issue 18): the same
// configuration as flowgate+guard plus [gateway.state], so the difference of the two rows is
// what sharing the state costs a call. Skipped, with the reason, where redis-server is absent.
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startProcess } from "./processes.ts";
import { flowgateTarget, guardedEverythingToml, type Target } from "./targets.ts";
import { echoWorkload } from "./workloads.ts";

const REDIS_SERVER = ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/bin/valkey-server"].find((path) => existsSync(path));

export const flowgateGuardedRedis: Target = {
  name: "flowgate+guard+redis",
  description: "flowgate+guard with the DIFC state in redis-server over loopback TCP (appendonly, fsync always); its floor is flowgate+guard",
  workload: { ...echoWorkload, floor: "flowgate+guard" },
  async start() {
    if (REDIS_SERVER === undefined) throw new Error("no redis-server installed (apt-get install redis-server)");
    const dir = await mkdtemp(join(tmpdir(), "flowgate-bench-redis-"));
    const port = await freePort();
    const redis = startProcess(REDIS_SERVER, [
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      "",
      "--logfile",
      "",
    ]);
    await redis.waitFor(/ready to accept connections/i, 10_000);
    try {
      const flowgate = await flowgateTarget({
        ...this,
        configToml: (paths) => `${guardedEverythingToml(paths)}\n[gateway.state]\nurl = "redis://127.0.0.1:${port}"\n`,
      }).start();
      return {
        ...flowgate,
        async stop() {
          await flowgate.stop();
          await redis.kill();
        },
      };
    } catch (error) {
      await redis.kill();
      throw error;
    }
  },
};
