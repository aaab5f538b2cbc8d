// The MCP Inspector's CLI (the one `npx @modelcontextprotocol/inspector --cli` runs) against a real
// gateway in front of server-everything, in both modes, as a person would use it from a shell.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientEnv, INSPECTOR_BIN, type ModeGateways, runClient, startModeGateways } from "../support/clients.ts";

const API_KEY = "inspector-test-key";
/** How soon a wrong key must end a run; a run with the right key only has to finish. */
const LIMIT_MS = 5_000;
const RUN_LIMIT_MS = 30_000;
let gateways: ModeGateways;

beforeAll(async () => {
  gateways = await startModeGateways(API_KEY);
});

afterAll(async () => {
  await gateways.stop();
});

const endpoint = (mode: string) => gateways.endpoint(mode);

function inspect(url: string, args: string[], authorization: string | undefined, limitMs: number, env = clientEnv()) {
  const header = authorization === undefined ? [] : ["--header", `Authorization: ${authorization}`];
  return runClient(INSPECTOR_BIN, ["--cli", url, "--transport", "http", ...header, ...args], env, limitMs);
}

describe.each(["routed", "unified"])("MCP Inspector CLI, %s mode, with the right key", (mode) => {
  it.each([
    ["lists the tools", () => ["--method", "tools/list"], (p: string) => `"name": "${p}echo"`],
    [
      "calls a tool",
      (p: string) => ["--method", "tools/call", "--tool-name", `${p}echo`, "--tool-arg", "message=hello from the inspector"],
      () => "Echo: hello from the inspector",
    ],
    [
      "reads a resource",
      (p: string) => ["--method", "resources/read", "--uri", `${p}demo://resource/static/document/architecture.md`],
      (p: string) => `"uri": "${p}demo://resource/static/document/architecture.md"`,
    ],
    ["gets a prompt", (p: string) => ["--method", "prompts/get", "--prompt-name", `${p}args-prompt`, "--prompt-args", "city=Lisbon"], () => "Lisbon"],
  ])("%s", async (_case, args, expected) => {
    const { url, prefix } = endpoint(mode);
    const run = await inspect(url, args(prefix), API_KEY, RUN_LIMIT_MS);
    expect(run.stderr).not.toMatch(/"error"/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(expected(prefix));
  });
});

describe.each(["routed", "unified"])("MCP Inspector CLI, %s mode, with a wrong or missing key", (mode) => {
  it.each([
    ["a wrong key", "not-the-key"],
    ["the key as a Bearer token", `Bearer ${API_KEY}`],
    ["no key", undefined],
  ])("fails within 5 s with %s, saying the Authorization header is wrong", async (_case, authorization) => {
    // As at a terminal: the Inspector starts its interactive OAuth flow on a 401.
    const run = await inspect(endpoint(mode).url, ["--method", "tools/list"], authorization, LIMIT_MS, clientEnv({ MCP_AUTO_OPEN_ENABLED: "true" }));
    expect(run.code, `killed at the ${LIMIT_MS} ms limit:\n${run.stderr}`).not.toBeNull();
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("flowgate does not use OAuth");
    expect(run.stderr).toContain("the Authorization header was missing or wrong");
    expect(run.stdout).not.toContain("tools");
  });
});
