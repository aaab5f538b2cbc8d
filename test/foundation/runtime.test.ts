import { describe, expect, it } from "vitest";

describe("runtime", () => {
  it("runs on the pinned Node 24 when started through npm test", () => {
    expect(Number(process.versions.node.split(".")[0])).toBe(24);
  });
});
