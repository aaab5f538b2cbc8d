// JSON encoded the way the reference (Go encoding/json over maps) encodes guard inputs: object
// keys sorted, and <, >, &, U+2028, U+2029 escaped. Guards do not depend on it, but fixtures
// with exact input lengths and byte-for-byte logs do.

function sortedCopy(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = value[key];
  return out;
}

const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

export function goJson(value: unknown): string {
  const text = JSON.stringify(value === undefined ? null : value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? sortedCopy(v as Record<string, unknown>) : v,
  );
  // These characters can only occur inside string literals, so a plain replace is safe.
  return text.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
}

const encoder = new TextEncoder();

export function goJsonBytes(value: unknown): Uint8Array {
  return encoder.encode(goJson(value));
}
