/**
 * Above this many characters an ASCII array text is assembled in a Buffer and read back as
 * latin1: Node hands a string that large to V8 as an external string in memory it allocated
 * itself, which the next call reuses. Joining builds it in V8's large-object space instead,
 * fresh pages every time, which on a VM costs more than all the copying.
 */
const EXTERNAL_TEXT_CHARS = 1 << 20;

/** `[` + the elements' JSON texts joined by commas + `]`. */
export function jsonArrayText(elements: readonly string[]): string {
  let chars = elements.length + 1;
  for (const element of elements) chars += element.length;
  if (chars < EXTERNAL_TEXT_CHARS) return `[${elements.join(",")}]`;
  let bytes = elements.length + 1;
  for (const element of elements) bytes += Buffer.byteLength(element, "utf8");
  if (bytes !== chars) return `[${elements.join(",")}]`;
  const out = Buffer.allocUnsafeSlow(bytes);
  let at = 0;
  out[at++] = 0x5b;
  elements.forEach((element, index) => {
    if (index > 0) out[at++] = 0x2c;
    at += out.write(element, at, "latin1");
  });
  out[at] = 0x5d;
  const text = out.toString("latin1");
  // The string is a copy: the buffer's memory goes back now, not whenever the collector finds it,
  // so a large answer holds the payload's size once less at its peak.
  out.buffer.transfer(0);
  return text;
}
