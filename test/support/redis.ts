// A real redis-server (Debian's package) for the shared-state tests: its own temp directory, a
// unix socket there (no port to race for), and append-only persistence fsynced on every write,
// as docs/scale-out.md asks of a deployment. Tests skip, naming the reason, where it is absent.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ended } from "./processes.ts";

const CANDIDATES = ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/bin/valkey-server"];

/** The redis-server binary, or undefined when none is installed. */
export const REDIS_SERVER = CANDIDATES.find((path) => existsSync(path));
/** For the names of tests that cannot run here. */
export const NO_REDIS_REASON = "skipped: no redis-server installed (apt-get install redis-server)";

export interface RedisUnderTest {
  /** unix:///…/redis.sock, what --state-url and [gateway.state] url take. */
  url: string;
  socket: string;
  dir: string;
  /** Ends the server as a crash would (SIGKILL): only what reached the append-only file survives. */
  kill(): Promise<void>;
  /** Starts it again on the same socket and data directory (emptied first with `wipe`: a server that lost its data), and waits until it answers. */
  restart(options?: { wipe?: boolean }): Promise<void>;
  /** SIGSTOP: the server holds its connections and answers nothing, as a badly overloaded one. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/** `appendfsync` other than "always" (the default here) is for the test of the warning it earns. */
export async function startRedis(appendfsync: "always" | "everysec" = "always"): Promise<RedisUnderTest> {
  if (REDIS_SERVER === undefined) throw new Error(NO_REDIS_REASON);
  const dir = await mkdtemp(join(tmpdir(), "flowgate-redis-"));
  const socket = join(dir, "redis.sock");
  const launch = () => launchRedis(REDIS_SERVER, dir, socket, appendfsync);
  let child: ChildProcess = await launch();
  return {
    url: `unix://${socket}`,
    socket,
    dir,
    async kill() {
      await ended(child, "SIGKILL");
    },
    async restart({ wipe = false } = {}) {
      if (wipe) await rm(join(dir, "appendonlydir"), { recursive: true, force: true });
      child = await launch();
    },
    freeze() {
      child.kill("SIGSTOP");
    },
    thaw() {
      child.kill("SIGCONT");
    },
    async stop() {
      child.kill("SIGCONT");
      await ended(child, "SIGKILL");
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function launchRedis(binary: string, dir: string, socket: string, appendfsync: string): Promise<ChildProcess> {
  const child = spawn(
    binary,
    [
      "--port",
      "0",
      "--unixsocket",
      socket,
      "--unixsocketperm",
      "700",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      appendfsync,
      "--save",
      "",
      "--logfile",
      "",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/ready to accept connections/i.test(output)) {
        child.stdout!.off("data", onData);
        child.stdout!.resume();
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.resume();
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)));
    child.once("error", reject);
  });
  return child;
}
