// Attack (on a mistake): GH_AW_OTLP_ENDPOINTS holds the collectors' headers, keys included, as
// JSON; a stray comma made the startup warning quote the parser's message, and V8's quotes the
// text around the fault: the end of the key went to stderr and into mcp-gateway.log and
// gateway.md. The warning must say what is wrong without quoting the value.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gatewayConfig, runGateway, runtimeOptions } from "../support/gateway.ts";
import { MEMORY_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

const KEY = "otlpkey-7c1e95ab34d2";
const HEADERS = `"headers": "Authorization=Bearer ${KEY}"`;

const MISTAKES = [
  { mistake: "a trailing comma in the list", value: `[{"url": "http://127.0.0.1:4318", ${HEADERS}},]` },
  { mistake: "two commas in a row", value: `[{"url": "http://127.0.0.1:4318", ${HEADERS}},,{"url": "http://127.0.0.1:4319"}]` },
];

describe("a malformed GH_AW_OTLP_ENDPOINTS at startup", () => {
  it.each(MISTAKES)("with $mistake, no piece of a header's key reaches stderr or the log files", async ({ value }) => {
    const runtime = runtimeOptions();
    const gateway = await runGateway(gatewayConfig([stdioServer("memory", MEMORY_SCRIPT)]), runtime, { env: { GH_AW_OTLP_ENDPOINTS: value }, fileLogs: true });
    expect(await gateway.stop()).toBe(0);
    const stderr = gateway.stderr();
    expect(stderr).toContain("GH_AW_OTLP_ENDPOINTS is not valid JSON");
    expect(stderr).toContain("tracing is off");
    const logs = await Promise.all((await readdir(runtime.logDir)).map((name) => readFile(join(runtime.logDir, name), "utf8")));
    const pieces = Array.from({ length: KEY.length - 5 }, (_, start) => KEY.slice(start, start + 6));
    for (const text of [stderr, ...logs]) for (const piece of pieces) expect(text).not.toContain(piece);
  });
});
