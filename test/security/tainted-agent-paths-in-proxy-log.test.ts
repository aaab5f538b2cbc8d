// Attack: the proxy's agent holds secrecy tags (its policy lets it read the private repository
// octo/priv) and reads a file there; it then spells what it read into the paths it asks for: a
// read no route knows, a write, a write the API does not answer. proxy.log, gateway.md and
// rpc-messages.jsonl, a CI artifact like the gateway's logs, quoted every path
// (`POST /repos/octo/<secret>/issues passed through`, the `[UNRECOGNIZED-ENDPOINT]` event, the
// 502's line), so the secret left in the log directory. The proxy now follows the gateway's
// policy: while its agent holds secrecy tags, a path is logged as the redaction marker, and a
// guard's failure (whose text may quote the arguments the path gave it) by its kind alone.
// A GitHub guard (the reference's, github-lite here) runs the proxy in filter mode, so the agent's
// tags come from its policy at label_agent, never from a read: the agent "before the taint" is
// one whose policy gives it none, and its lines still name their paths.
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadWasmGuard } from "../../src/guard/index.ts";
import { openFileLogger, secrecyMarker } from "../../src/log/index.ts";
import { ProxyEnforcer } from "../../src/proxy/enforcer.ts";
import { startGithubProxy } from "../support/github-proxy.ts";
import { builtGuardPath } from "../support/guards.ts";
import { RecordingLogger } from "../support/recording-logger.ts";

const SECRET = "ceo-salary-420k";
const PRIVATE_FILE = "/repos/octo/priv/contents/README.md";
const UNROUTED_READ = `/users/${SECRET}`;
const WRITE = `/repos/octo/pub/issues/${SECRET}/comments`;
const UNANSWERED_WRITE = `/repos/octo/${SECRET}/issues`;
const AUTHORIZATION = { Authorization: "token client-token" };

interface Run {
  /** The agent's secrecy tags, from /reflect. */
  secrecy: string[];
  /** The HTTP status of the private file's read. */
  privateRead: number;
  /** Each file of the log directory by name. */
  files: Map<string, string>;
}

/** The attack through a proxy whose agent is given `repos`, logging to a directory of its own. */
async function attack(repos: string | string[]): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), "flowgate-proxy-paths-"));
  const logger = openFileLogger({ dir, stderr: () => undefined, proxy: true });
  const env = await startGithubProxy({ "allow-only": { repos, "min-integrity": "none" } }, { logger });
  let secrecy: string[];
  let privateRead: number;
  try {
    const reflect = (await (await fetch(`${env.proxy.url}/reflect`)).json()) as { agents: Record<string, { secrecy: string[] }> };
    secrecy = reflect.agents["proxy"]?.secrecy ?? [];
    const read = await fetch(`${env.proxy.url}${PRIVATE_FILE}`, { headers: AUTHORIZATION });
    privateRead = read.status;
    await read.arrayBuffer();
    await (await fetch(`${env.proxy.url}${UNROUTED_READ}`, { headers: AUTHORIZATION })).arrayBuffer();
    await (await fetch(`${env.proxy.url}${WRITE}`, { method: "POST", headers: AUTHORIZATION, body: "{}" })).arrayBuffer();
    await env.github.close();
    const unanswered = await fetch(`${env.proxy.url}${UNANSWERED_WRITE}`, { method: "POST", headers: AUTHORIZATION, body: "{}" });
    expect(unanswered.status).toBe(502);
  } finally {
    await env.proxy.close();
    await logger.close();
  }
  const names = await readdir(dir);
  return { secrecy, privateRead, files: new Map(await Promise.all(names.map(async (name) => [name, await readFile(join(dir, name), "utf8")] as const))) };
}

describe("a proxy agent's paths in the log directory", () => {
  it("while the agent holds secrecy tags, no log file holds what it spelt into a path: each line names the path by its marker", async () => {
    const run = await attack(["octo/priv"]);
    expect([run.secrecy, run.privateRead]).toEqual([["private:octo/priv"], 200]);
    expect([...run.files].filter(([, text]) => text.includes(SECRET)).map(([name]) => name)).toEqual([]);
    const log = run.files.get("proxy.log") ?? "";
    expect(log).toContain(`[INFO] [proxy] GET ${secrecyMarker(PRIVATE_FILE)} read as get_file_contents`);
    expect(log).toContain(`[INFO] [proxy] POST ${secrecyMarker(WRITE)} passed through`);
    expect(log).toContain(`[INFO] [proxy] POST ${secrecyMarker(UNANSWERED_WRITE)} passed through`);
    expect(log).toContain(`[ERROR] [proxy] POST ${secrecyMarker(UNANSWERED_WRITE)}: bad_gateway (the message is not logged: the agent holds secrecy tags)`);
    expect(log).toContain(`[UNRECOGNIZED-ENDPOINT] {`);
    for (const name of ["proxy.log", "rpc-messages.jsonl"]) expect(run.files.get(name)).toContain(`"path":"${secrecyMarker(UNROUTED_READ)}"`);
  });

  it("while the agent holds none, each line names its path as the reference's does", async () => {
    const run = await attack("public");
    expect([run.secrecy, run.privateRead]).toEqual([[], 403]);
    const log = run.files.get("proxy.log") ?? "";
    expect(log).toContain(`[INFO] [proxy] POST ${WRITE} passed through`);
    expect(log).toMatch(new RegExp(`\\[ERROR\\] \\[proxy\\] POST ${UNANSWERED_WRITE}: upstream request failed: .*ECONNREFUSED`));
    for (const name of ["proxy.log", "rpc-messages.jsonl"]) expect(run.files.get(name)).toContain(`"path":"${UNROUTED_READ}"`);
  });
});

describe("a guard failure in the proxy's log", () => {
  // Real guards that fail label_resource: scripted gives the agent the secrecy tag "s" and traps
  // on a tool name ending in T; direct gives it none and answers with no resource.
  it.each([
    [
      "while the agent holds secrecy tags, by the function and its kind",
      "scripted",
      "get_file_contents-T",
      /: trap \(the message is not logged: the agent holds secrecy tags\)$/,
    ],
    [
      "while the agent holds none, with the guard's message",
      "direct",
      "get_file_contents",
      /: WASM guard 'direct': invalid resource format in guard response: resource must be an object$/,
    ],
  ])("is logged %s", async (_name, file, toolName, shown) => {
    const guard = await loadWasmGuard(builtGuardPath("edge-cases", file), { name: file, poolSize: 1 });
    const logger = new RecordingLogger();
    const enforcer = new ProxyEnforcer({ guard, logger, mode: "filter" });
    try {
      await enforcer.initialize({ "allow-only": { repos: "all", "min-integrity": "none" } }, { trustedBots: [], trustedUsers: [] });
      const noBackend = () => Promise.reject(new Error("this guard makes no call_backend"));
      const refusal = enforcer.check({ toolName, args: { owner: "octo", repo: SECRET } }, noBackend, new AbortController().signal);
      await expect(refusal).rejects.toMatchObject({ status: 502 });
      expect(logger.matching(`label_resource failed for ${toolName}: `)).toEqual([expect.stringMatching(shown)]);
    } finally {
      await guard.close();
    }
  });
});
