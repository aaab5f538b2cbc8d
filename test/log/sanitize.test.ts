import { describe, expect, it } from "vitest";
import { REDACTED, Sanitizer, isSecretKey } from "../../src/log/sanitize.ts";

const R = REDACTED;

describe("log sanitisation", () => {
  it.each([
    ["a GitHub classic PAT anywhere", "using ghp_abcdefghijklmnopqrstuvwxyz0123456789 now", `using ${R} now`],
    ["a GitHub server token", "t=ghs_ABCDEFGHIJKLMNOPQRSTUV", `t=${R}`],
    ["a fine-grained PAT", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", R],
    ["a bearer token", "sent Bearer abc.def-ghi_jkl", `sent ${R}`],
    ["an Authorization header, scheme and all", "Authorization: Bearer s3cr3t-value", `Authorization: ${R}`],
    ["an Authorization header with a bare value", "authorization=agent-key-1", `authorization=${R}`],
    ["a short password", "password=hunter2", `password=${R}`],
    ["an api key with a prefix kept", "MY_API_KEY: abcd1234", `MY_API_KEY: ${R}`],
    ["a client secret", "client_secret=xyz", `client_secret=${R}`],
    ["a long token value", "token: 0123456789abcdefXYZ", `token: ${R}`],
    ["a JSON string field in text", '{"password":"hunter2","user":"bob"}', `{"password":"${R}","user":"bob"}`],
    ["a JWT", "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature", `jwt ${R}`],
    ["a 40-character hex run", "sha 0123456789abcdef0123456789abcdef01234567 end", `sha ${R} end`],
    ["a 64-character uppercase hex run", `k=${"AB".repeat(32)}`, `k=${R}`],
    ["a hex run of exactly 32 characters at the end", `x ${"f0".repeat(16)}`, `x ${R}`],
    ["a pwd", "PWD = abc", `PWD = ${R}`],
    ["a passwd in a URL query", "?passwd=x&y=1", `?passwd=${R}&y=1`],
    ["a client id", "client-id: 12", `client-id: ${R}`],
    ["a private key name", "PRIVATE_KEY=k", `PRIVATE_KEY=${R}`],
    ["a long credentials value", "credentials=abcdefgh12", `credentials=${R}`],
    ["a GitHub OAuth token", "gho_abcdefghijklmnop1234", R],
  ])("redacts %s", (_name, input, expected) => {
    expect(new Sanitizer().text(input)).toBe(expected);
  });

  it.each([
    ["ordinary prose", "Starting MCPG with config: /etc/flowgate/config.toml"],
    ["a short token count", "token: 42"],
    ["a key with a short value", "key: name"],
    ["max_tokens", "max_tokens=4096"],
    ["a short hex run", "id deadbeef"],
    ["a 31-character hex run", `id ${"a".repeat(31)}`],
    ["an auth message without a value", "Authorization header missing"],
  ])("leaves %s alone", (_name, input) => {
    expect(new Sanitizer().text(input)).toBe(input);
  });

  it("finds a hex run of 32 wherever it starts in a long text, and never one of 31", () => {
    const sanitizer = new Sanitizer();
    for (let offset = 0; offset < 100; offset++) {
      const before = "x".repeat(offset);
      const after = "-".repeat(100 - offset);
      expect(sanitizer.text(`${before}${"c".repeat(32)}${after}`)).toBe(`${before}${R}${after}`);
      expect(sanitizer.text(`${before}${"c".repeat(31)}${after}`)).toBe(`${before}${"c".repeat(31)}${after}`);
      // Digit runs of 31 on both sides of a single non-digit are two runs, not one of 63.
      const twoRuns = `${before}${"1".repeat(31)}x${"2".repeat(31)}${after}`;
      expect(sanitizer.text(twoRuns)).toBe(twoRuns);
    }
  });

  it("redacts registered literal secrets wherever they occur, longest first", () => {
    const sanitizer = new Sanitizer();
    sanitizer.addSecret("my-agent");
    sanitizer.addSecret("my-agent-id");
    sanitizer.addSecret("ab");
    expect(sanitizer.text("id my-agent-id and my-agent, ab")).toBe(`id ${R} and ${R}, ab`);
  });

  it("redacts a recurring text as any other, and a secret added after it was sanitised once", () => {
    const sanitizer = new Sanitizer();
    const text = "agent my-agent-id read 3 items, password=hunter2";
    expect(sanitizer.recurringText(text)).toBe(`agent my-agent-id read 3 items, password=${R}`);
    expect(sanitizer.recurringText(text)).toBe(`agent my-agent-id read 3 items, password=${R}`);
    sanitizer.addSecret("my-agent-id");
    expect(sanitizer.recurringText(text)).toBe(`agent ${R} read 3 items, password=${R}`);
  });

  it("redacts JSON values by key name and keeps the JSON valid", () => {
    const sanitizer = new Sanitizer();
    const input = {
      env: { GITHUB_TOKEN: "x", PATH: "/bin", "x-api-key": 12345, private_key: { pem: "..." }, debug: true },
      headers: { Authorization: "Bearer abc" },
      list: ["ghp_abcdefghijklmnopqrstuvwxyz0123456789", 1, null],
      token: null,
    };
    expect(sanitizer.value(input)).toEqual({
      env: { GITHUB_TOKEN: R, PATH: "/bin", "x-api-key": R, private_key: R, debug: true },
      headers: { Authorization: R },
      list: [R, 1, null],
      token: null,
    });
  });

  it("returns a JSON value with nothing to redact as it is, and redacts into a copy", () => {
    const sanitizer = new Sanitizer();
    const clean = { jsonrpc: "2.0", result: { content: [{ type: "text", text: "Echo: hello" }], list: [1, null, true] } };
    expect(sanitizer.value(clean)).toBe(clean);
    const secret = { result: { content: [{ type: "text", text: "password=hunter2" }] } };
    const logged = sanitizer.value(secret);
    expect(logged).toEqual({ result: { content: [{ type: "text", text: `password=${R}` }] } });
    expect(secret.result.content[0]!.text).toBe("password=hunter2");
  });

  it.each([
    ["token", true],
    ["Authorization", true],
    ["GITHUB_PERSONAL_ACCESS_TOKEN", true],
    ["api-key", true],
    ["refresh_token", true],
    ["client_secret", true],
    ["tokens_used", false],
    ["name", false],
    ["keywords", false],
  ])("treats the key %s as secret: %s", (key, expected) => {
    expect(isSecretKey(key)).toBe(expected);
  });
});
