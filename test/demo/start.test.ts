// `npm start` as a newcomer runs it: on a port and log directory of their choosing, then pasting
// the commands the banner prints into a shell.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientEnv } from "../support/clients.ts";
import { freePort } from "../support/mcp-servers.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const shell = promisify(execFile);
const logDir = mkdtempSync(join(tmpdir(), "flowgate-demo-logs-"));
let port: number;
let stderr = "";
let demo: ReturnType<typeof spawn>;

beforeAll(async () => {
  port = await freePort();
  // What `npm start -- --port N --log-dir D` runs.
  demo = spawn(process.execPath, ["--import", "./bin/compile-cache.js", "demo/start.ts", "--port", String(port), "--log-dir", logDir], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  demo.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  let stdout = "";
  await new Promise<void>((resolve, reject) => {
    demo.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (/^\}\s*$/m.test(stdout)) resolve();
    });
    demo.once("exit", (code) => reject(new Error(`the demo exited with ${code}:\n${stderr}`)));
  });
});

afterAll(async () => {
  const exited = new Promise((resolve) => demo.once("exit", resolve));
  demo.kill("SIGINT");
  await exited;
});

/** The banner's command lines that start with `word`, as printed. */
function printed(word: string): string[] {
  return stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith(`${word} `));
}

describe("npm start -- --port N --log-dir D", () => {
  it("serves on that port and logs to that directory", async () => {
    expect(stderr).toContain(`Starting MCPG in ROUTED mode on 127.0.0.1:${port}`);
    expect(existsSync(join(logDir, "mcp-gateway.log"))).toBe(true);
  });

  it("reports on /reflect the guards mode its banner announces", async () => {
    const announced = /in guards mode (\w+)/.exec(stderr)?.[1];
    expect(announced).toBeDefined();
    const reflect = (await (await fetch(`http://127.0.0.1:${port}/reflect`, { headers: { Authorization: "demo-agent" } })).json()) as { mode: string };
    expect(reflect.mode).toBe(announced);
  });

  it.each([
    ["list_directory", /\[FILE\] README\.md.*\[Filtered\] 2 item\(s\)/s],
    ["read_text_file", /"code":-32030.*private\/salaries\.md exists but is not accessible/s],
  ])("prints a %s command that runs as pasted and shows the guard at work", async (tool, expected) => {
    const command = printed("curl").find((line) => line.includes(`"name":"${tool}"`));
    expect(command, `no curl command for ${tool} in:\n${stderr}`).toBeDefined();
    expect(command).toContain(`http://127.0.0.1:${port}/`);
    const { stdout } = await shell("sh", ["-c", command!], { cwd: root });
    expect(stdout).toMatch(expected);
  });

  it("prints /reflect and /health commands that run as pasted", async () => {
    const commands = printed("curl").filter((line) => !line.includes("tools/call"));
    expect(commands).toEqual([`curl -s http://127.0.0.1:${port}/reflect -H "Authorization: demo-agent"`, `curl -s http://127.0.0.1:${port}/health`]);
    const [reflect, health] = await Promise.all(
      commands.map(async (command) => JSON.parse((await shell("sh", ["-c", command])).stdout) as Record<string, unknown>),
    );
    expect(reflect).toHaveProperty("mode", "filter");
    expect(health).toHaveProperty("status", "healthy");
  });

  it("prints an MCP Inspector command that lists the files server's tools", async () => {
    const [command] = printed("npx");
    expect(command).toContain(`--cli http://127.0.0.1:${port}/mcp/files`);
    const { stdout } = await shell("sh", ["-c", command!], { cwd: root, env: clientEnv() });
    expect(stdout).toContain('"name": "list_directory"');
  });
});

describe("npm start -- --port 0", () => {
  it("refuses, since the commands it prints must name the port it serves on", async () => {
    const run = shell(process.execPath, ["--import", "./bin/compile-cache.js", "demo/start.ts", "--port", "0"], { cwd: root });
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("--port expects a port number from 1 to 65535") });
  });
});
