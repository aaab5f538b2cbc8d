// Secret redaction for everything the log files receive (gateway.md §6.9, written from its prose).
// Two layers: text patterns for free text, and a structural pass for JSON values that redacts
// the values of secret-named keys while keeping the JSON valid (the reference sanitises the
// serialised text instead, which can turn a payload into invalid JSON).

export const REDACTED = "[REDACTED]";

// Key names whose value is a secret whatever its length.
const STRONG_KEY = String.raw`(?:passw(?:or)?d|pwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|client[_-]?id|authorization)`;
// Key names that are often innocent ("key: name"), so only a long value counts as a secret.
const WEAK_KEY = String.raw`(?:token|key|auth|credentials?)`;
// An optional auth scheme between the separator and the value ("Authorization: Bearer x").
const SCHEME = String.raw`(?:(?:bearer|basic|token|agent)\s+)?`;
const VALUE_END = String.raw`[^\s"',;&]`;

interface TextRule {
  pattern: RegExp;
  replace: string;
}

// A run of at least N is written X{N}X*, never X{N,}: V8 matches X{N,} with a backtrack entry
// per character, which overflows the stack (RangeError) on a run of a few million, such as a
// backend's answer can hold.
const TEXT_RULES: readonly TextRule[] = [
  // key=value, key: value and "key":"value", keeping the key and separator so JSON text stays JSON.
  // The key is matched from the keyword on (a prefix such as "MY_" stays in place), never from
  // a run of word characters before it: that would rescan the run from every "-" in it, which
  // takes quadratic time on the long strings an untrusted backend can send.
  { pattern: new RegExp(String.raw`(${STRONG_KEY}"?\s*[=:]\s*"?)${SCHEME}${VALUE_END}+`, "gi"), replace: `$1${REDACTED}` },
  { pattern: new RegExp(String.raw`(${WEAK_KEY}"?\s*[=:]\s*"?)${SCHEME}${VALUE_END}{8}${VALUE_END}*`, "gi"), replace: `$1${REDACTED}` },
  // Tokens recognisable by their shape, wherever they stand.
  { pattern: /\bbearer\s+[A-Za-z0-9._~+/-]+=*/gi, replace: REDACTED },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{16}[A-Za-z0-9]*/g, replace: REDACTED },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{20}[A-Za-z0-9_]*/g, replace: REDACTED },
  // Only where a token can start, for the same reason: "eyJ-eyJ-…" must not be rescanned.
  { pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, replace: REDACTED },
];
/** Applied after TEXT_RULES, and only to text that has such a run (see hasLongHexRun). */
const HEX_RUN_RULE: TextRule = { pattern: /[a-f0-9]{32}[a-f0-9]*/gi, replace: REDACTED };
const HEX_RUN_LENGTH = 32;

// Every match of TEXT_RULES contains one of these, so text without any of them (most payload
// text) is left as it is after one scan per keyword instead of one per rule. Looked for with
// `includes` in the lower-cased text: an alternation of them, case-insensitive or not, took half
// a millisecond per 256 KB string in the gateway (a twentieth of that in a bench of its own), and
// `includes` takes a few microseconds. A match of the rules is ASCII, which lower-casing keeps in
// place, so it is never missed; a non-ASCII character lower-cased to ASCII (the Kelvin sign) only
// costs running the rules.
const RULE_KEYWORDS = [
  "passw",
  "pwd",
  "secret",
  "key",
  "client",
  "auth",
  "token",
  "credential",
  "bearer",
  "ghp_",
  "gho_",
  "ghu_",
  "ghs_",
  "ghr_",
  "github_pat_",
  "eyj",
];

function mayMatchARule(text: string): boolean {
  const lower = text.toLowerCase();
  return RULE_KEYWORDS.some((keyword) => lower.includes(keyword));
}

/** A hex digit to hasLongHexRun: either case, and a few control characters that OR 0x20 makes digits. */
function countsAsHex(code: number): boolean {
  const lower = code | 0x20;
  return (lower >= 0x30 && lower <= 0x39) || (lower >= 0x61 && lower <= 0x66);
}

/**
 * Whether `text` may hold 32 hex digits in a row, the only text HEX_RUN_RULE matches: never false
 * when it does (a few control characters count as digits here, which only costs a needless
 * replace). A loop over the characters: V8's regex engine tries a case-insensitive class
 * repeated 32 times at every position, which made it the costliest step of sanitising a log line.
 * Any such run covers one of every 32 positions, so only those are read until one is a digit; its
 * run is then measured both ways: a 256 KB answer without digits costs 8,192 reads, not 262,144.
 */
function hasLongHexRun(text: string): boolean {
  let at = HEX_RUN_LENGTH - 1;
  while (at < text.length) {
    if (!countsAsHex(text.charCodeAt(at))) {
      at += HEX_RUN_LENGTH;
      continue;
    }
    let start = at;
    while (start > 0 && countsAsHex(text.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < text.length && countsAsHex(text.charCodeAt(end))) end++;
    if (end - start >= HEX_RUN_LENGTH) return true;
    // `end` is not a digit, so a run starts after it.
    at = end + HEX_RUN_LENGTH;
  }
  return false;
}

/**
 * How many short texts recurringText remembers; the cache is emptied when a secret is added,
 * since that changes what a text becomes.
 */
const REMEMBERED_TEXT_CHARS = 512;
const REMEMBERED_TEXTS = 256;

const SECRET_KEY_NAMES = new Set([
  "token",
  "password",
  "passwd",
  "pwd",
  "apikey",
  "api_key",
  "secret",
  "client_secret",
  "api_secret",
  "authorization",
  "auth",
  "key",
  "private_key",
  "public_key",
  "credentials",
  "credential",
  "access_token",
  "refresh_token",
  "bearer_token",
  "x_api_key",
  "proxy_authorization",
  "cookie",
  "set_cookie",
]);
const SECRET_KEY_SUFFIXES = ["_token", "_secret", "_password", "_apikey", "_api_key", "_private_key"];

/** True for an object key whose value is a secret ("GITHUB_TOKEN", "api-key", "Authorization"). */
export function isSecretKey(key: string): boolean {
  const normalised = key.toLowerCase().replaceAll("-", "_");
  return SECRET_KEY_NAMES.has(normalised) || SECRET_KEY_SUFFIXES.some((suffix) => normalised.endsWith(suffix));
}

/**
 * Redacts secrets from log text and JSON values. Besides the patterns it redacts literal values
 * registered with `addSecret` (the agent id, configured header values), which no pattern could
 * recognise because they may be any string.
 */
export class Sanitizer {
  #secrets: string[] = [];
  readonly #remembered = new Map<string, string>();

  addSecret(value: string): void {
    // Very short values would redact ordinary words; they are not credentials worth the damage.
    if (value.length < 4 || this.#secrets.includes(value)) return;
    this.#secrets.push(value);
    // Longest first, so a secret that contains another is replaced whole.
    this.#secrets.sort((a, b) => b.length - a.length);
    this.#remembered.clear();
  }

  text(input: string): string {
    return this.#sanitised(input);
  }

  /**
   * text() for a text that recurs (a filtered item's description or reason): the last few hundred
   * short ones keep their sanitised form. Not for every text, where the lookup would only cost.
   */
  recurringText(input: string): string {
    if (input.length > REMEMBERED_TEXT_CHARS) return this.#sanitised(input);
    let output = this.#remembered.get(input);
    if (output === undefined) {
      output = this.#sanitised(input);
      if (this.#remembered.size >= REMEMBERED_TEXTS) this.#remembered.clear();
      this.#remembered.set(input, output);
    }
    return output;
  }

  #sanitised(input: string): string {
    let output = input;
    for (const secret of this.#secrets) output = output.replaceAll(secret, REDACTED);
    if (mayMatchARule(output)) {
      for (const rule of TEXT_RULES) output = output.replace(rule.pattern, rule.replace);
    }
    // Last, on what the rules above left, as when it was the last of them.
    if (hasLongHexRun(output)) output = output.replace(HEX_RUN_RULE.pattern, HEX_RUN_RULE.replace);
    return output;
  }

  /**
   * A JSON value with secret-named keys' values and secrets inside strings redacted: a copy where
   * anything is redacted, `input` itself where nothing is, so that a caller holding its JSON text
   * can log that text instead of serialising the value again.
   */
  value(input: unknown): unknown {
    if (typeof input === "string") return this.text(input);
    if (Array.isArray(input)) {
      const output = input.map((item) => this.value(item));
      return output.every((item, index) => item === input[index]) ? input : output;
    }
    if (input !== null && typeof input === "object") {
      const output: Record<string, unknown> = {};
      let changed = false;
      for (const [key, item] of Object.entries(input)) {
        const logged = isSecretKey(key) && item !== null && typeof item !== "boolean" ? REDACTED : this.value(item);
        output[key] = logged;
        if (logged !== item) changed = true;
      }
      return changed ? output : input;
    }
    return input;
  }
}
