import { describe, expect, it } from "vitest";
import { NoopGuard, WriteSinkGuard } from "../../src/guard/index.ts";
import type { Guard } from "../../src/guard/index.ts";

describe("built-in guards", () => {
  it.each<[string, Guard, object, object]>([
    ["noop", new NoopGuard(), { difcMode: "strict" }, { secrecy: [], operation: "read-write" }],
    [
      "write-sink",
      new WriteSinkGuard({ accept: ["private:acme", " private:x/y"] }),
      { difcMode: "filter" },
      { secrecy: ["private:acme", " private:x/y"], operation: "write", description: "write-sink (create)" },
    ],
    [
      "public write-sink",
      new WriteSinkGuard({ accept: ["*"], visibility: "public" }),
      { difcMode: "filter" },
      { secrecy: [], operation: "write", description: "write-sink:public (create)" },
    ],
  ])("%s answers like the reference", async (_label, guard, agent, resource) => {
    await expect(guard.labelAgent({})).resolves.toMatchObject({ secrecy: [], integrity: [], ...agent });
    await expect(guard.labelResource("create", {})).resolves.toMatchObject({ integrity: [], ...resource });
    await expect(guard.labelResponse("create", {}, {})).resolves.toBeNull();
    expect(guard.status()).toMatchObject({ state: "healthy", calls: 3, closed: false });
    await guard.close();
    await guard.close();
    expect(guard.status().closed).toBe(true);
  });
});
