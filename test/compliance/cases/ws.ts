// §2.12 Write-sink guard policy tests (T-WS-001…008). The spec's source of secrecy is a private
// GitHub repository behind the GitHub guard, which flowgate does not ship; here it is the
// private/ folder of demo/workspace behind flowgate's filesystem guard. The sink check the tests
// are about is the same: the agent's secrecy against what the sink accepts.
import { fileURLToPath } from "node:url";
import {
  base,
  check,
  echoServer,
  IMAGES,
  McpSession,
  notCheckable,
  pass,
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

const GITHUB =
  "needs the GitHub REST API's answer about the repository's visibility (GITHUB_REPOSITORY and a token, or a mock API behind an implementation hook), which flowgate's visibility check reads from api.github.com; the rule is covered by test/enforce/github-visibility.test.ts";

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

/** Reads a file through `files` (a private one taints the agent), then writes to `sink`; the write's reply. */
async function readThenWrite(writeSink: Record<string, unknown>, file: "private/salaries.md" | "notes/launch-plan.md"): Promise<RpcReply> {
  const gateway = await startGateway(sinkConfig(writeSink, file.startsWith("private/")));
  try {
    const files = await McpSession.open(gateway, "files");
    await files.request("tools/list");
    const read = await files.callTool("read_text_file", { path: `${WORKSPACE}/${file}` });
    check(read.message?.result && !(read.message.result as { isError?: boolean }).isError, `reading ${file}: ${read.text.slice(0, 300)}`);
    const sink = await McpSession.open(gateway, "sink");
    await sink.request("tools/list");
    return await sink.callTool("echo", { message: "published" });
  } finally {
    await gateway.stop();
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
        ["T-WS-006", "Runtime check upgrades private/internal to public"],
        ["T-WS-007", "Runtime check is skipped when visibility is omitted"],
        ["T-WS-008", "A configured public is never relaxed"],
      ] as const
    ).map(([id, title]): ComplianceCase => ({
      id,
      title,
      how: "black-box: the repository's visibility from the GitHub API",
      run: async () => notCheckable(GITHUB),
    })),
  ];
  return { name: "Write-sink guard policy (T-WS)", cases };
}
