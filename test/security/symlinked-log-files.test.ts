// Attack: prepare the log directory before the gateway starts (the default one is under
// world-writable /tmp) with symlinks where the log files go, so the gateway appends to, truncates
// or chmods a file of the attacker's choosing. Each log file must be opened without following a
// link, and a directory others could write in must not be used at all.
import { execFileSync } from "node:child_process";
import { chmod, link, lstat, mkdir, mkdtemp, readFile, readdir, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openFileLogger } from "../../src/log/file-logger.ts";

const LOG_FILES = ["mcp-gateway.log", "files.log", "gateway.md", "rpc-messages.jsonl", "tools.json", "observed-url-domains.json"];
const VICTIM_TEXT = "the victim's own content\n";

interface Prepared {
  /** Mode of the log directory. */
  dirMode: number;
  /** Names in the log directory that are links to a victim file each. */
  links: string[];
  /** Hard links instead of symbolic ones. */
  hard?: boolean;
}

/** Prepares the directory, runs a logger over it as the gateway would, and reports what happened. */
async function attack(prepared: Prepared): Promise<{ dir: string; warnings: string[]; victims: Array<{ text: string; mode: number }>; names: string[] }> {
  const scratch = await mkdtemp(join(tmpdir(), "flowgate-symlinked-logs-"));
  const dir = join(scratch, "logs");
  await mkdir(dir);
  await chmod(dir, prepared.dirMode);
  const victimPaths = prepared.links.map((name) => join(scratch, `victim-${name}`));
  for (const [i, name] of prepared.links.entries()) {
    await writeFile(victimPaths[i]!, VICTIM_TEXT, { mode: 0o644 });
    await (prepared.hard === true ? link : symlink)(victimPaths[i]!, join(dir, name));
  }
  const stderr: string[] = [];
  const logger = openFileLogger({ dir, stderr: (text) => stderr.push(text) });
  logger.log("info", "startup", "started", { markdown: true });
  logger.server("files", "info", "backend", "a line for files.log");
  logger.rpc({ event: "rpc_request", serverId: "files", method: "tools/list", payload: {} });
  logger.tools("files", [{ name: "read_text_file" }]);
  logger.observedUrlDomains?.("files", ["example.com"]);
  await logger.flush();
  await logger.close();
  const victims = await Promise.all(victimPaths.map(async (path) => ({ text: await readFile(path, "utf8"), mode: (await stat(path)).mode & 0o777 })));
  return { dir, warnings: stderr.filter((line) => /warning/i.test(line)), victims, names: (await readdir(dir)).sort() };
}

describe("symlinks planted in the log directory", () => {
  it.each([
    { name: "a link at every log file's name", links: LOG_FILES },
    { name: "a link at the temporary name of tools.json's rewrite", links: ["tools.json.tmp"] },
  ])("$name leaves the linked files untouched", async ({ links }) => {
    const result = await attack({ dirMode: 0o700, links });
    expect(result.victims).toEqual(links.map(() => ({ text: VICTIM_TEXT, mode: 0o644 })));
    for (const name of links.filter((link) => LOG_FILES.includes(link))) expect((await lstat(join(result.dir, name))).isSymbolicLink()).toBe(true);
  });

  it("a hard link at every log file's name leaves the linked files untouched", async () => {
    const result = await attack({ dirMode: 0o700, links: LOG_FILES, hard: true });
    expect(result.victims).toEqual(LOG_FILES.map(() => ({ text: VICTIM_TEXT, mode: 0o644 })));
  });

  it("a FIFO at every log file's name neither stalls the logger nor takes its lines", async () => {
    const scratch = await mkdtemp(join(tmpdir(), "flowgate-fifo-logs-"));
    const dir = join(scratch, "logs");
    await mkdir(dir, { mode: 0o700 });
    for (const name of LOG_FILES) execFileSync("mkfifo", [join(dir, name)]);
    const stderr: string[] = [];
    const logger = openFileLogger({ dir, stderr: (text) => stderr.push(text) });
    logger.log("info", "startup", "started", { markdown: true });
    logger.server("files", "info", "backend", "a line for files.log");
    logger.tools("files", [{ name: "read_text_file" }]);
    await logger.flush();
    await logger.close();
    for (const name of LOG_FILES) expect((await lstat(join(dir, name))).isFIFO()).toBe(true);
    expect(stderr.join("")).toContain("started");
  });

  it("rewrites tools.json through a fresh temporary file when a link holds the temporary name", async () => {
    const result = await attack({ dirMode: 0o700, links: ["tools.json.tmp"] });
    expect(JSON.parse(await readFile(join(result.dir, "tools.json"), "utf8"))).toEqual({ servers: { files: [{ name: "read_text_file", description: "" }] } });
  });

  it("refuses a log directory others can write in, with one warning that says how to fix it, and writes nothing there", async () => {
    const result = await attack({ dirMode: 0o777, links: ["files.log"] });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain(`Refusing log directory ${result.dir}: it is writable by group or others (mode 0777); run chmod go-w ${result.dir}`);
    expect(result.names).toEqual(["files.log"]);
    expect(result.victims).toEqual([{ text: VICTIM_TEXT, mode: 0o644 }]);
  });
});
