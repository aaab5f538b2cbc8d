// The `docker` command the compliance harness puts first on PATH: no Docker engine runs on these
// machines. It records every `docker run` (its arguments and the pid that plays the container)
// and then becomes the "container": the image name picks a real npm MCP server or a misbehaving
// fixture, and the container's environment is exactly the `-e` variables, as in a container.
import { appendFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { IMAGES } from "./images.ts";

const modules = new URL("../../node_modules/@modelcontextprotocol/", import.meta.url);
const everything = fileURLToPath(new URL("server-everything/dist/index.js", modules));
const filesystem = fileURLToPath(new URL("server-filesystem/dist/index.js", modules));

const FLAGS_WITH_VALUE = new Set(["-e", "--env", "-v", "--volume", "--entrypoint", "--name", "--network", "--user", "-u", "-w", "--workdir", "--label", "-l"]);

interface RunArgs {
  image: string;
  /** The arguments after the image (the container's command line). */
  command: string[];
  env: Record<string, string>;
}

function parseRun(args: string[], outer: NodeJS.ProcessEnv): RunArgs | undefined {
  const env: Record<string, string> = {};
  for (let index = 1; index < args.length; index++) {
    const arg = args[index]!;
    if (!arg.startsWith("-")) return { image: arg, command: args.slice(index + 1), env };
    if (!FLAGS_WITH_VALUE.has(arg)) continue;
    const value = args[++index] ?? "";
    if (arg === "-e" || arg === "--env") {
      const at = value.indexOf("=");
      if (at === -1) {
        if (outer[value] !== undefined) env[value] = outer[value];
      } else env[value.slice(0, at)] = value.slice(at + 1);
    }
  }
  return undefined;
}

const args = process.argv.slice(2);
const record = process.env.COMPLIANCE_DOCKER_RECORD;
if (args[0] !== "run") {
  process.stderr.write(`docker stand-in: only "docker run" is recorded, not "${args[0] ?? ""}"\n`);
  process.exit(1);
}
const run = parseRun(args, process.env);
if (record) appendFileSync(record, `${JSON.stringify({ pid: process.pid, args, image: run?.image ?? null, env: Object.keys(run?.env ?? {}) })}\n`);
if (!run || !Object.values(IMAGES).includes(run.image as never)) {
  process.stderr.write(`Unable to find image '${run?.image ?? ""}' locally\ndocker: Error response from daemon: manifest unknown.\n`);
  process.exit(125);
}
// The container sees only what `docker run -e` gave it.
for (const name of Object.keys(process.env)) delete process.env[name];
Object.assign(process.env, run.env);

if (run.image === IMAGES.silent) {
  process.stdin.resume();
} else if (run.image === IMAGES.filesystem) {
  process.argv = [process.argv[0]!, filesystem, ...run.command];
  await import(filesystem);
} else {
  if (run.image === IMAGES.noterm) {
    // Outlives SIGTERM and its closed stdin: only SIGKILL ends it.
    process.on("SIGTERM", () => undefined);
    setInterval(() => undefined, 1 << 30);
  }
  if (run.image === IMAGES.chunky || run.image === IMAGES.half) rewriteStdout(run.image);
  process.argv = [process.argv[0]!, everything, "stdio"];
  await import(everything);
}

/** The chunky and half fixtures: each stdout write split in three 100 ms apart, or tool results cut in half. */
function rewriteStdout(image: string): void {
  const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array) => boolean;
  let queue = Promise.resolve();
  const pause = () => new Promise((resolve) => setTimeout(resolve, 100));
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    const bytes = Buffer.from(chunk);
    if (image === IMAGES.half) {
      write(bytes.toString("utf8").includes('"content"') ? bytes.subarray(0, Math.floor(bytes.length / 2)) : bytes);
      return true;
    }
    const third = Math.ceil(bytes.length / 3);
    queue = queue.then(async () => {
      for (let at = 0; at < bytes.length; at += third) {
        write(bytes.subarray(at, at + third));
        await pause();
      }
    });
    return true;
  }) as typeof process.stdout.write;
}
