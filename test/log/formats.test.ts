import { describe, expect, it } from "vitest";
import { escapeLineBreakers } from "../../src/log/json-line.ts";
import { formatConsoleLine, formatTextLine, formatTimestamp } from "../../src/log/line-format.ts";
import { formatMarkdownEntry, formatRpcMarkdownEntry, formatRpcMarkdownMessage } from "../../src/log/markdown-format.ts";

const AT = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));

describe("text log lines", () => {
  it("stamps UTC with milliseconds and a Z", () => {
    expect(formatTimestamp(AT)).toBe("2026-01-02T03:04:05.006Z");
  });

  it.each([
    ["info", "startup", "Starting MCPG", "[2026-01-02T03:04:05.006Z] [INFO] [startup] Starting MCPG\n"],
    ["warn", "backend", "slow", "[2026-01-02T03:04:05.006Z] [WARN] [backend] slow\n"],
    ["error", "auth", "denied", "[2026-01-02T03:04:05.006Z] [ERROR] [auth] denied\n"],
    ["debug", "server:unified", "a\nb", "[2026-01-02T03:04:05.006Z] [DEBUG] [server:unified] a\\nb\n"],
    ["error", "auth", "x\r\u0000\t\u001b[2J\u2028y", "[2026-01-02T03:04:05.006Z] [ERROR] [auth] x\\r\\u0000\\t\\u001b[2J\\u2028y\n"],
    ["info", "a\nb", "m", "[2026-01-02T03:04:05.006Z] [INFO] [a\\nb] m\n"],
  ] as const)("formats a %s line byte for byte", (level, category, message, expected) => {
    expect(formatTextLine(AT, level, category, message)).toBe(expected);
  });

  it("formats console lines in Go's default log layout, local time", () => {
    const local = new Date(2026, 10, 25, 9, 8, 7);
    expect(formatConsoleLine(local, "Logging to file: /tmp/x")).toBe("2026/11/25 09:08:07 Logging to file: /tmp/x\n");
  });
});

describe("gateway.md entries", () => {
  it.each([
    ["info", "startup", "Starting gateway", "- ✓ **startup** Starting gateway\n"],
    ["warn", "backend", "retrying", "- ⚠️ **backend** retrying\n"],
    ["error", "auth", "rejected", "- ✗ **auth** rejected\n"],
    ["debug", "client", "hello", "- 🔍 **client** hello\n"],
    ["error", "backend", "failed\nline two", "- ✗ **backend**\n  ```\n  failed\n  line two\n  ```\n"],
    ["info", "backend", "launching command=docker", "- ✓ **backend**\n  ```\n  launching command=docker\n  ```\n"],
    ["info", "backend", "args=[run -i]", "- ✓ **backend**\n  ```\n  args=[run -i]\n  ```\n"],
    ["info", "client", "a `b` </details> *c* [l](u) &amp; x|y", "- ✓ **client** a \\`b\\` \\</details\\> \\*c\\* \\[l\\](u) \\&amp; x\\|y\n"],
    ["debug", "rpc", "**s1** → `tools/list`", "- 🔍 **rpc** \\*\\*s1\\*\\* → \\`tools/list\\`\n"],
    ["error", "backend", "x\n```\n</details>\r", "- ✗ **backend**\n  ````\n  x\n  ```\n  </details>\\r\n  ````\n"],
  ] as const)("formats %s/%s %j", (level, category, message, expected) => {
    expect(formatMarkdownEntry(level, category, message)).toBe(expected);
  });

  it.each([
    [
      "a tools/call request with its arguments",
      {
        serverId: "gh",
        direction: "out",
        method: "tools/call",
        toolName: "list_issues",
        payloadText: '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"list_issues"}}',
      },
      '**gh** → `tools/call` `list_issues`\n\n```json\n{"params":{"name":"list_issues"}}\n```',
    ],
    [
      "a request whose params are null",
      { serverId: "gh", direction: "out", method: "tools/list", payloadText: '{"jsonrpc":"2.0","method":"tools/list","params":null}' },
      "**gh** → `tools/list`",
    ],
    [
      "a response",
      { serverId: "gh", direction: "in", payloadText: '{"jsonrpc":"2.0","id":1,"result":{}}' },
      '**gh** ← `resp`\n\n```json\n{"id":1,"result":{}}\n```',
    ],
    [
      "a response with a transport error and no payload",
      { serverId: "gh", direction: "in", error: "connection reset" },
      "**gh** ← `resp` ⚠️ `connection reset`",
    ],
    [
      "fields with backticks and control characters, each in a code span of its own",
      { serverId: "g*h", direction: "out", method: "tools/call", toolName: "a`b\n</details>", error: "`x`" },
      "**g\\*h** → `tools/call` ``a`b\\n</details>`` ⚠️ `` `x` ``",
    ],
    [
      "a payload longer than 512 characters, inline",
      { serverId: "gh", direction: "in", payloadText: `{"jsonrpc":"2.0","id":1,"result":"${"x".repeat(600)}"}` },
      `**gh** ← \`resp\` \`${`{"jsonrpc":"2.0","id":1,"result":"${"x".repeat(600)}`.slice(0, 512)}\``,
    ],
  ] as const)("pre-formats %s", (_name, input, expected) => {
    expect(formatRpcMarkdownMessage(input)).toBe(expected);
  });

  it("indents the continuation lines of an RPC entry by two spaces", () => {
    const message = formatRpcMarkdownMessage({ serverId: "gh", direction: "in", payloadText: '{"jsonrpc":"2.0","id":7,"result":true}' });
    expect(formatRpcMarkdownEntry(message)).toBe('- 🔍 rpc **gh** ← `resp`\n  \n  ```json\n  {"id":7,"result":true}\n  ```\n');
  });
});

describe("JSONL line breakers", () => {
  it.each([
    ["leaves plain ASCII as it is", '{"text":"Echo: hello"}', '{"text":"Echo: hello"}'],
    ["escapes DEL in otherwise ASCII text", '{"text":"a\u007fb"}', '{"text":"a\\u007fb"}'],
    ["escapes NEL in otherwise ASCII text", '{"text":"a\u0085b"}', '{"text":"a\\u0085b"}'],
    ["escapes U+2028 and U+2029 beside other non-ASCII text", '{"text":"é\u2028ü\u2029"}', '{"text":"é\\u2028ü\\u2029"}'],
    ["leaves non-ASCII text without any as it is", '{"text":"é ü 😀"}', '{"text":"é ü 😀"}'],
  ])("%s", (_name, json, expected) => {
    expect(escapeLineBreakers(json)).toBe(expected);
    expect(JSON.parse(escapeLineBreakers(json))).toEqual(JSON.parse(json));
  });
});
