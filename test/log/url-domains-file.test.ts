import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UrlDomainsFile } from "../../src/log/url-domains-file.ts";

function freshFile(): { path: string; file: UrlDomainsFile; errors: Error[] } {
  const path = join(mkdtempSync(join(tmpdir(), "flowgate-domains-")), "observed-url-domains.json");
  const errors: Error[] = [];
  return { path, file: new UrlDomainsFile(path, (error) => errors.push(error)), errors };
}

describe("observed-url-domains.json", () => {
  it("is {} with mode 0600 from the start", () => {
    const { path } = freshFile();
    expect(readFileSync(path, "utf8")).toBe("{}");
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("holds every key's domains sorted and unique, keys sorted, indented, still 0600 and without a temporary file", async () => {
    const { path, file, errors } = freshFile();
    file.add("write-sink", ["b.example", "a.example"]);
    file.add("everything", ["z.example"]);
    file.add("write-sink", ["a.example", "c.example"]);
    await file.flushed();
    expect(readFileSync(path, "utf8")).toBe(JSON.stringify({ everything: ["z.example"], "write-sink": ["a.example", "b.example", "c.example"] }, null, 2));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(path, ".."))).toEqual(["observed-url-domains.json"]);
    expect(errors).toEqual([]);
  });

  it("is not rewritten when no domain is new", async () => {
    const { path, file } = freshFile();
    file.add("s", ["a.example"]);
    await file.flushed();
    // Overwritten behind its back: a rewrite would restore the content.
    writeFileSync(path, "marker");
    file.add("s", ["a.example"]);
    file.add("s", []);
    await file.flushed();
    expect(readFileSync(path, "utf8")).toBe("marker");
  });
});
