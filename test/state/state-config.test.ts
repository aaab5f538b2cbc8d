import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { childPids } from "../support/processes.ts";
import { loadJsonConfig } from "../../src/config/json-loader.ts";
import { loadTomlConfig } from "../../src/config/toml-loader.ts";
import { applyOverrides, resolveFlagSettings } from "../../src/cli/serve-options.ts";
import { base, configError, issueAt } from "../config/support.ts";

// Where the DIFC state lives is chosen in the configuration ([gateway.state] url, gateway.state.url)
// or by --state-url; without either it stays in the process's memory.
const SERVER = '[servers.a]\ncommand = "docker"\nargs = ["run", "--rm", "-i", "img"]\n';

describe("the state store setting", () => {
  it.each([
    ["TOML [gateway.state]", () => loadTomlConfig(`[gateway.state]\nurl = "redis://127.0.0.1:6379"\n${SERVER}`, {}), { url: "redis://127.0.0.1:6379" }],
    [
      "JSON gateway.state",
      () => loadJsonConfig(JSON.stringify(base({ a: { type: "stdio", container: "img" } }, { state: { url: "rediss://r:6380" } })), {}),
      { url: "rediss://r:6380" },
    ],
    ["TOML without it", () => loadTomlConfig(SERVER, {}), undefined],
  ])("is read from %s", (_name, load, state) => {
    expect(load().gateway.state).toEqual(state);
  });

  it.each([
    ["a URL of another scheme", `[gateway.state]\nurl = "http://127.0.0.1:6379"\n${SERVER}`, "gateway.state.url"],
    ["a table without url", `[gateway.state]\nhost = "127.0.0.1"\n${SERVER}`, "gateway.state.url"],
  ])("is refused with its path when it is %s", (_name, text, path) => {
    const error = configError(() => loadTomlConfig(text, {}));
    expect(issueAt(error, path), JSON.stringify(error.issues)).toBeDefined();
  });

  it("takes --state-url over the configuration's, and says so", () => {
    const config = loadTomlConfig(`[gateway.state]\nurl = "redis://old:6379"\n${SERVER}`, {});
    const flags = { stateUrl: "unix:///run/redis.sock" };
    const { config: applied } = applyOverrides(config, resolveFlagSettings(flags, {}), flags, {});
    expect(applied.gateway.state).toEqual({ url: "unix:///run/redis.sock" });
    expect(applied.warnings).toContain("--state-url overrides the configuration's [gateway.state] url");
  });

  it("stops start-up with exit 1, naming the store without its password, when --state-url cannot be reached, and leaves no backend running", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowgate-state-start-"));
    const marker = "state-start-unreachable";
    const config = join(dir, "flowgate.toml");
    writeFileSync(config, `[servers.idle]\ncommand = ${JSON.stringify(process.execPath)}\nargs = ["-e", "setInterval(() => {}, 1000)", "${marker}"]\n`);
    let stderr = "";
    const code = await main(
      ["node", "flowgate", "--config", config, "--listen", "127.0.0.1:0", "--log-dir", join(dir, "logs"), "--state-url", "redis://:hunter2@127.0.0.1:1"],
      {
        out: () => undefined,
        err: (text) => void (stderr += text),
      },
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/failed to start gateway: cannot reach the state store at redis:\/\/\*\*\*@127\.0\.0\.1:1: /);
    expect(stderr).not.toContain("hunter2");
    expect(childPids(marker)).toEqual([]);
  });
});
