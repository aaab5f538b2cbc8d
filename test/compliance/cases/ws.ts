// §2.12 Write-sink guard policy tests (T-WS-001…008). The spec's source of secrecy is a private
// GitHub repository behind the GitHub guard, which flowgate does not ship; here it is the
// private/ folder of demo/workspace behind flowgate's filesystem guard. The sink check the tests
// are about is the same: the agent's secrecy against what the sink accepts.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeGithub } from "../../support/fake-github.ts";
import {
  base,
  check,
  echoServer,
  IMAGES,
  McpSession,
  notCheckable,
  pass,
  type LaunchOptions,
  resultText,
  startGateway,
  type CaseGroup,
  type ComplianceCase,
  type RpcReply,
} from "../harness.ts";

const WORKSPACE = fileURLToPath(new URL("../../../demo/workspace", import.meta.url));
const GUARD = fileURLToPath(new URL("../../../guards/filesystem/build/filesystem.wasm", import.meta.url));
/** The secrecy tag the filesystem guard gives what is in private/ (scope `ws`). */
const PRIVATE_TAG = "private:ws/private";

const GITHUB_SERVER =
  "needs a GitHub MCP server serving a private repository's items behind a GitHub guard that labels them by the repository's visibility (the spec's `github` server); flowgate runs no GitHub MCP server here. The forcing rule itself is covered by test/enforce/github-visibility.test.ts, and T-WS-006…008 check the same visibility lookup against a fake GitHub API";

/**
 * `files` (server-filesystem over demo/workspace behind the filesystem guard; an agent cleared
 * for private/ may read it, and its secrecy then carries PRIVATE_TAG) and `sink` (the echo image
 * with the given write-sink policy).
 */
function sinkConfig(writeSink: Record<string, unknown>, cleared: boolean): Record<string, unknown> {
  // An omitted visibility means public for a sink that is not exempt (spec §10.8.6, gateway-spec.md §7.11).
  const exempt = writeSink["sink-visibility"] === undefined ? { sinkVisibilityExemptServers: ["sink"] } : {};
  return {
    ...base(
      {
        files: { container: IMAGES.filesystem, entrypointArgs: [WORKSPACE], guard: "files" },
        sink: echoServer({ "guard-policies": { "write-sink": writeSink } }),
      },
      exempt,
    ),
    guards: {
      files: {
        type: "wasm",
        path: GUARD,
        config: { "fs-scope": "ws", "fs-private": ["private"], "fs-clearance": cleared ? ["private"] : [] },
        policy: { "allow-only": { repos: "all", "min-integrity": "none" } },
      },
    },
  };
}

const forbidden = (reply: RpcReply) =>
  (reply.message?.error !== undefined || (reply.message?.result as { isError?: boolean } | undefined)?.isError === true) &&
  !resultText(reply).includes("Echo:");

/**
 * Reads a file through `files` (a private one taints the agent), then writes to `sink`; the write's
 * reply, and what the gateway logged about the sink (its <serverID>.log).
 */
async function readThenWrite(
  writeSink: Record<string, unknown>,
  file: "private/salaries.md" | "notes/launch-plan.md",
  options: LaunchOptions = {},
): Promise<RpcReply & { sinkLog?: string }> {
  const gateway = await startGateway(sinkConfig(writeSink, file.startsWith("private/")), options);
  let reply: RpcReply | undefined;
  try {
    const files = await McpSession.open(gateway, "files");
    await files.request("tools/list");
    const read = await files.callTool("read_text_file", { path: `${WORKSPACE}/${file}` });
    check(read.message?.result && !(read.message.result as { isError?: boolean }).isError, `reading ${file}: ${read.text.slice(0, 300)}`);
    const sink = await McpSession.open(gateway, "sink");
    await sink.request("tools/list");
    reply = await sink.callTool("echo", { message: "published" });
  } finally {
    await gateway.stop();
  }
  return { ...reply, sinkLog: await readFile(join(gateway.logDir, "sink.log"), "utf8").catch(() => "") };
}

/**
 * The write of T-WS-001 with the workflow repository's visibility coming from a fake GitHub API
 * (octo/pub is public, octo/priv private), as the gateway asks it at startup.
 */
async function withRepository<T>(repository: "octo/pub" | "octo/priv", run: (options: LaunchOptions) => Promise<T>): Promise<T> {
  const github = await new FakeGithub().start();
  try {
    return await run({ env: { GITHUB_REPOSITORY: repository, GITHUB_API_URL: github.url, GITHUB_TOKEN: "compliance-token" } });
  } finally {
    await github.close();
  }
}

export function wsGroup(): CaseGroup {
  const cases: ComplianceCase[] = [
    {
      id: "T-WS-001",
      title: "A tainted agent cannot write to a public sink",
      how: 'an agent that read demo/workspace/private/ through the filesystem guard writes to a sink with `accept:["*"]`, `sink-visibility:"public"`: refused, the sink\'s echo never answers',
      fast: true,
      run: async () => {
        const reply = await readThenWrite({ accept: ["*"], "sink-visibility": "public" }, "private/salaries.md");
        check(forbidden(reply), `the write: ${reply.text.slice(0, 300)}`);
        return pass("the secrecy comes from the filesystem guard, not a private GitHub repository");
      },
    },
    {
      id: "T-WS-002",
      title: "A clean agent can write to a public sink",
      how: "an agent that read only a public file writes to the same sink: allowed, the sink answers",
      run: async () => {
        const reply = await readThenWrite({ accept: ["*"], "sink-visibility": "public" }, "notes/launch-plan.md");
        check(resultText(reply).includes("Echo: published"), `the write: ${reply.text.slice(0, 300)}`);
        return pass();
      },
    },
    {
      id: "T-WS-003",
      title: "`accept` is used when visibility is not public",
      how: `a tainted agent writes to a sink with sink-visibility "private", "internal" and omitted (the sink exempt from the public default): allowed with accept [${PRIVATE_TAG}], refused with accept ["private:other/x"]`,
      run: async () => {
        for (const visibility of ["private", "internal", undefined]) {
          const shown = visibility ?? "omitted";
          const withVisibility = (accept: string[]) => (visibility === undefined ? { accept } : { accept, "sink-visibility": visibility });
          const allowed = await readThenWrite(withVisibility([PRIVATE_TAG]), "private/salaries.md");
          check(resultText(allowed).includes("Echo: published"), `${shown}, accepted tag: ${allowed.text.slice(0, 300)}`);
          const refused = await readThenWrite(withVisibility(["private:other/x"]), "private/salaries.md");
          check(forbidden(refused), `${shown}, other tag: ${refused.text.slice(0, 300)}`);
        }
        return pass(
          "without GITHUB_REPOSITORY no runtime override applies, as the test asks; the omitted variant lists the sink in sinkVisibilityExemptServers, else §10.8.6 makes it public",
        );
      },
    },
    ...(
      [
        ["T-WS-004", "The repo is forced public when it is public"],
        ["T-WS-005", "`forcePublicRepos:false` disables the override"],
      ] as const
    ).map(([id, title]): ComplianceCase => ({
      id,
      title,
      how: "black-box: a private-repository item read through the GitHub guard",
      run: async () => notCheckable(GITHUB_SERVER),
    })),
    {
      id: "T-WS-006",
      title: "Runtime check upgrades private/internal to public",
      fast: true,
      how: `GITHUB_REPOSITORY=octo/pub, public in a fake GitHub API; a tainted agent writes to a sink with sink-visibility "private", then "internal", accept [${PRIVATE_TAG}]: refused, and the sink's log names the override`,
      run: async () =>
        withRepository("octo/pub", async (options) => {
          for (const visibility of ["private", "internal"]) {
            const reply = await readThenWrite({ accept: [PRIVATE_TAG], "sink-visibility": visibility }, "private/salaries.md", options);
            check(forbidden(reply), `${visibility}: the write: ${reply.text.slice(0, 300)}`);
            check(
              reply.sinkLog?.includes(`SINK VISIBILITY OVERRIDE: configured="${visibility}"`) === true,
              `${visibility}: the sink's log names the override: ${reply.sinkLog?.slice(0, 600)}`,
            );
          }
          return pass("the repository's visibility comes from a fake GitHub REST API on 127.0.0.1 (GITHUB_API_URL)");
        }),
    },
    {
      id: "T-WS-007",
      title: "Runtime check is skipped when visibility is omitted",
      how: `GITHUB_REPOSITORY=octo/pub, public in a fake GitHub API; a tainted agent writes to a sink with sink-visibility omitted (listed in sinkVisibilityExemptServers), accept [${PRIVATE_TAG}]: allowed`,
      run: async () =>
        withRepository("octo/pub", async (options) => {
          const reply = await readThenWrite({ accept: [PRIVATE_TAG] }, "private/salaries.md", options);
          check(resultText(reply).includes("Echo: published"), `the write: ${reply.text.slice(0, 300)}`);
          return pass("the repository's visibility comes from a fake GitHub REST API on 127.0.0.1 (GITHUB_API_URL)");
        }),
    },
    {
      id: "T-WS-008",
      title: "A configured public is never relaxed",
      how: `GITHUB_REPOSITORY=octo/priv, private in a fake GitHub API; a tainted agent writes to a sink with sink-visibility "public", accept [${PRIVATE_TAG}]: refused`,
      run: async () =>
        withRepository("octo/priv", async (options) => {
          const reply = await readThenWrite({ accept: [PRIVATE_TAG], "sink-visibility": "public" }, "private/salaries.md", options);
          check(forbidden(reply), `the write: ${reply.text.slice(0, 300)}`);
          return pass("the repository's visibility comes from a fake GitHub REST API on 127.0.0.1 (GITHUB_API_URL)");
        }),
    },
  ];
  return { name: "Write-sink guard policy (T-WS)", cases };
}
