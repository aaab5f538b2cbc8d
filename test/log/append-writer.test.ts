import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppendWriter } from "../../src/log/append-writer.ts";

describe("the append writer", () => {
  it("keeps lines in order across many writes queued in one turn", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "flowgate-writer-")), "a.log");
    const writer = new AppendWriter(path, { mode: 0o644, onError: (error) => expect.fail(error.message) });
    const expected = Array.from({ length: 5000 }, (_, i) => `line ${i} ${"é".repeat(i % 7)}\n`);
    for (const line of expected) writer.write(line);
    await writer.close();
    await writer.close();
    expect(readFileSync(path, "utf8")).toBe(expected.join(""));
  });

  it.skipIf(!existsSync("/dev/full"))("reports a failed write once and stops writing", async () => {
    const errors: string[] = [];
    const writer = new AppendWriter("/dev/full", { mode: 0o644, onError: (error) => void errors.push((error as NodeJS.ErrnoException).code ?? "") });
    writer.write("first\n");
    writer.write("second\n");
    writer.flushSync();
    writer.write("after the failure\n");
    await writer.close();
    expect(errors).toEqual(["ENOSPC"]);
    expect(writer.isOpen).toBe(false);
  });
});
