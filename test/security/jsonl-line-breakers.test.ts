// Attack: call a tool whose name holds U+2028, U+2029, NEL (U+0085) and a C1 CSI (U+009B)
// sequence. JSON.stringify leaves them raw, so a reader that splits rpc-messages.jsonl with
// Python's splitlines() (or an editor) cuts a record in two, and a terminal acts on the CSI.
// Every line must stay one record, and parse to the name the agent sent.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { connectAgent, gatewayConfig, runGateway, runtimeOptions } from "../support/gateway.ts";
import { EVERYTHING_SCRIPT, stdioServer } from "../support/mcp-servers.ts";

const BREAKING_NAME = "x\u2028LS-record\u2029PS-record\u0085NEL-record\u009b2J\u007fDEL";
// What Python's str.splitlines() ends a line at (besides CR LF, taken as one).
const LINE_ENDS = new Set(["\n", "\r", "\v", "\f", "\u001c", "\u001d", "\u001e", "\u0085", "\u2028", "\u2029"]);

function splitlines(text: string): string[] {
  const lines = [""];
  for (const character of text.replaceAll("\r\n", "\n")) {
    if (LINE_ENDS.has(character)) lines.push("");
    else lines[lines.length - 1] += character;
  }
  return lines;
}

const runtime = runtimeOptions();

beforeAll(async () => {
  const gateway = await runGateway(gatewayConfig([stdioServer("everything", EVERYTHING_SCRIPT, { args: [EVERYTHING_SCRIPT, "stdio"] })]), runtime, {
    fileLogs: true,
    enforcement: undefined,
  });
  const client = await connectAgent(gateway.entry("everything"));
  try {
    await client.listTools();
    await client.callTool({ name: BREAKING_NAME, arguments: {} });
  } finally {
    await client.close();
    expect(await gateway.stop()).toBe(0);
  }
});

describe("line-breaking characters in rpc-messages.jsonl", () => {
  it("keeps every record on one line for splitlines(), escaped, and parses back to the name sent", () => {
    const text = readFileSync(join(runtime.logDir, "rpc-messages.jsonl"), "utf8");
    expect(text).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    const records = splitlines(text)
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { method?: string; payload?: { params?: { name?: string } } });
    const names = records.filter((record) => record.method === "tools/call").map((record) => record.payload?.params?.name);
    expect(names).toEqual([BREAKING_NAME]);
  });
});
