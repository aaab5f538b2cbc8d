// Compiles every guard under guards/ from source: guards/<name>/assembly/index.ts with the
// AssemblyScript compiler into build/<name>.wasm, and each guards/<name>/*.wat with wabt into
// build/<stem>.wasm. A guard is rebuilt only when the hash of its sources, its build options
// or the compiler versions changed, so a second `npm test` compiles nothing.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));
export const guardsDir = join(root, "guards");

/** Compiler flags for AssemblyScript guards; a guard may add its own in guards/<name>/asc.json. */
const DEFAULT_ASC_FLAGS = ["--optimize", "--runtime", "incremental", "--use", "abort="];

interface GuardSources {
  name: string;
  dir: string;
  files: string[];
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === "build" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else out.push(path);
  }
  return out.sort();
}

async function findGuards(): Promise<GuardSources[]> {
  const guards: GuardSources[] = [];
  for (const entry of await readdir(guardsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(guardsDir, entry.name);
    guards.push({ name: entry.name, dir, files: await listFiles(dir) });
  }
  return guards;
}

function compilerVersions(): string {
  const asc = (require("assemblyscript/package.json") as { version: string }).version;
  const wabt = (require("wabt/package.json") as { version: string }).version;
  return `asc ${asc}; wabt ${wabt}; flags ${DEFAULT_ASC_FLAGS.join(" ")}`;
}

/**
 * The hash of a guard's sources, and of the sources of the other guards it imports from
 * (`from "../../<guard>/assembly/…"`, as github-lite shares filesystem's JSON reader), so that a
 * change there rebuilds it too.
 */
async function sourceHash(guard: GuardSources, all: readonly GuardSources[]): Promise<string> {
  const hash = createHash("sha256").update(compilerVersions());
  const shared = new Set<string>();
  for (const file of guard.files) {
    const text = await readFile(file);
    hash.update(relative(guard.dir, file)).update("\0").update(text).update("\0");
    if (file.endsWith(".ts")) for (const match of text.toString("utf8").matchAll(/from "\.\.\/\.\.\/([^/"]+)\/assembly\//g)) shared.add(match[1]!);
  }
  for (const other of all.filter(({ name }) => shared.has(name) && name !== guard.name)) {
    for (const file of other.files)
      hash
        .update(relative(guardsDir, file))
        .update("\0")
        .update(await readFile(file))
        .update("\0");
  }
  return hash.digest("hex");
}

async function compileAssemblyScript(guard: GuardSources, entry: string, outFile: string): Promise<void> {
  const { default: asc } = await import("assemblyscript/asc");
  const ascJson = join(guard.dir, "asc.json");
  const extra = existsSync(ascJson) ? ((JSON.parse(await readFile(ascJson, "utf8")) as { flags?: string[] }).flags ?? []) : [];
  const result = await asc.main([entry, ...DEFAULT_ASC_FLAGS, ...extra, "--outFile", outFile]);
  if (result.error) {
    throw new Error(`AssemblyScript failed to compile guard '${guard.name}':\n${result.stderr.toString()}`);
  }
}

async function compileWat(file: string, outFile: string): Promise<void> {
  const { default: wabtInit } = await import("wabt");
  const wabt = await wabtInit();
  const module = wabt.parseWat(basename(file), await readFile(file, "utf8"), { bulk_memory: true, multi_value: true });
  try {
    await writeFile(outFile, module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** Builds the named guards (default: all) whose sources changed; returns the names it compiled. */
export async function buildGuards(only: readonly string[] = []): Promise<string[]> {
  const built: string[] = [];
  const guards = await findGuards();
  for (const guard of guards) {
    if (only.length > 0 && !only.includes(guard.name)) continue;
    const buildDir = join(guard.dir, "build");
    const stampFile = join(buildDir, ".source-hash");
    const hash = await sourceHash(guard, guards);
    if (existsSync(stampFile) && (await readFile(stampFile, "utf8")) === hash) continue;
    await mkdir(buildDir, { recursive: true });
    const entry = join(guard.dir, "assembly", "index.ts");
    if (existsSync(entry)) await compileAssemblyScript(guard, entry, join(buildDir, `${guard.name}.wasm`));
    for (const wat of guard.files.filter((file) => file.endsWith(".wat") && !file.includes("/assembly/"))) {
      await compileWat(wat, join(buildDir, `${basename(wat, ".wat")}.wasm`));
    }
    await writeFile(stampFile, hash);
    built.push(guard.name);
  }
  return built;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await buildGuards(process.argv.slice(2));
  console.log(built.length ? `built guards: ${built.join(", ")}` : "guards are up to date");
}
