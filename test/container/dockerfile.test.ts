// No Docker engine runs here, so the image is never built in tests. What can be checked without
// one: the Dockerfile's instructions, that everything it copies exists and passes its ignore
// file, and that the production install it runs has what the sources import.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), "utf8");

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions, with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

const DOCKERFILE = instructions(read("container/Dockerfile"));
const all = (keyword: string): string[] => DOCKERFILE.filter((i) => i.keyword === keyword).map((i) => i.args);
const IGNORE = read("container/Dockerfile.dockerignore")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));
const manifest = JSON.parse(read("package.json")) as { scripts: Record<string, string>; dependencies: Record<string, string> };

/** COPY sources and destination (relative destinations resolved against WORKDIR). */
function copies(): { sources: string[]; destination: string }[] {
  let workdir = "/";
  const result: { sources: string[]; destination: string }[] = [];
  for (const { keyword, args } of DOCKERFILE) {
    if (keyword === "WORKDIR") workdir = posix.resolve(workdir, args);
    if (keyword !== "COPY") continue;
    const parts = args.split(/\s+/);
    expect(
      parts.some((part) => part.startsWith("--from")),
      `COPY ${args} copies from another stage`,
    ).toBe(false);
    const destination = parts.pop()!;
    result.push({ sources: parts, destination: posix.resolve(workdir, destination) + (destination.endsWith("/") ? "/" : "") });
  }
  return result;
}

/** Where a copied file lands in the image. */
function imagePath(source: string, copy: { sources: string[]; destination: string }): string {
  return copy.destination.endsWith("/") ? posix.join(copy.destination, posix.basename(source)) : copy.destination;
}

describe("container/Dockerfile", () => {
  it("runs Node 24 on alpine or debian-slim with bash and the Docker CLI", () => {
    expect(all("FROM")).toHaveLength(1);
    expect(all("FROM")[0]).toMatch(/^node:24(\.[\d.]+)?-(alpine|.*slim)/);
    const installs = all("RUN").join("\n");
    expect(installs).toMatch(/\b(apk add|apt-get install)\b.*\bbash\b/);
    expect(installs).toMatch(/\b(apk add|apt-get install)\b.*\bdocker(-ce)?-cli\b/);
  });

  it("installs production dependencies without lifecycle scripts, since prepare needs dev dependencies", () => {
    expect(manifest.scripts.prepare).toBeDefined();
    const install = all("RUN").find((run) => run.includes("npm ci"));
    expect(install).toMatch(/npm ci --omit=dev --ignore-scripts/);
    // Skipping scripts is safe only while no runtime package needs one.
    const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }> };
    const scripted = Object.entries(lock.packages).filter(([name, entry]) => name !== "" && !entry.dev && entry.hasInstallScript);
    expect(scripted.map(([name]) => name)).toEqual([]);
  });

  it("exposes 8000 and enters through run_containerized.sh, which it copies with the scripts it runs", () => {
    expect(all("EXPOSE")).toEqual(["8000"]);
    expect(all("ENTRYPOINT")).toHaveLength(1);
    const entrypoint = JSON.parse(all("ENTRYPOINT")[0]!) as string[];
    expect(entrypoint).toHaveLength(1);
    const landed = new Map(copies().flatMap((copy) => copy.sources.map((source) => [imagePath(source, copy), source] as const)));
    const script = landed.get(entrypoint[0]!);
    expect(script).toBe("container/run_containerized.sh");
    for (const copied of ["container/run_containerized.sh", "container/run.sh"]) {
      const imageDir = posix.dirname([...landed].find(([, source]) => source === copied)![0]);
      // Sibling scripts are found next to the running one: "$(dirname "${BASH_SOURCE[0]}")/<name>".
      const siblings = [...read(copied).matchAll(/"\$\(dirname "\$\{BASH_SOURCE\[0\]\}"\)\/([\w.-]+)"/g)].map((match) => match[1]!);
      expect(siblings.length, `${copied} runs no sibling script`).toBeGreaterThan(0);
      for (const sibling of siblings) {
        expect(landed.get(posix.join(imageDir, sibling)), `${copied} runs ${sibling}`).toBe(posix.join("container", sibling));
      }
      expect(statSync(join(ROOT, copied)).mode & 0o111, `${copied} is executable`).not.toBe(0);
    }
  });

  it("has the place for the baked GitHub guard at /guards/github/", () => {
    const guards = copies().find((copy) => copy.destination === "/guards/");
    expect(guards?.sources).toEqual(["container/guards/"]);
    expect(existsSync(join(ROOT, "container/guards/github"))).toBe(true);
  });

  it("copies only files that exist and that its ignore file lets into the build context", () => {
    expect(IGNORE[0]).toBe("*");
    const allowed = IGNORE.filter((line) => line.startsWith("!")).map((line) => line.slice(1).replace(/\/$/, ""));
    const sources = copies()
      .flatMap((copy) => copy.sources)
      .map((source) => source.replace(/\/$/, ""));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
      expect(
        allowed.some((path) => source === path || source.startsWith(`${path}/`)),
        `${source} is in the build context`,
      ).toBe(true);
    }
  });
});

describe("the production install", () => {
  /** Every file under a folder, recursively. */
  const files = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));

  it("has every package the image's sources import: dependencies, never devDependencies", () => {
    const builtins = new Set(builtinModules);
    const missing: string[] = [];
    for (const file of [...files("src"), ...files("bin")].filter((path) => /\.[cm]?[jt]s$/.test(path))) {
      for (const { fileName } of ts.preProcessFile(read(file), true, true).importedFiles) {
        if (fileName.startsWith(".") || fileName.startsWith("node:") || builtins.has(fileName)) continue;
        const parts = fileName.split("/");
        const name = fileName.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
        if (!(name in manifest.dependencies)) missing.push(`${file}: ${fileName}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
