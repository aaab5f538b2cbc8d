/**
 * Above this many characters an ASCII array text is assembled in a Buffer and read back as
 * latin1: Node hands a string that large to V8 as an external string in memory it allocated
 * itself, which the next call reuses. Joining builds it in V8's large-object space instead,
 * fresh pages every time, which on a VM costs more than all the copying.
 */
const EXTERNAL_TEXT_CHARS = 1 << 20;

/** Past the text's end, so a non-ASCII element cut short at the end is still seen as one. */
const SPARE_BYTES = 4;

/** `[` + the elements' JSON texts joined by commas + `]`. */
export function jsonArrayText(elements: readonly string[]): string {
  let chars = elements.length + 1;
  for (const element of elements) chars += element.length;
  if (chars < EXTERNAL_TEXT_CHARS) return `[${elements.join(",")}]`;
  // Each element is written as UTF-8 and is ASCII when it took one byte per character. The spare
  // bytes at the end keep that test sound for the last elements: a non-ASCII one cut short by the
  // end of the buffer still takes more bytes than it has characters (a character takes at most 4).
  const out = Buffer.allocUnsafeSlow(chars + SPARE_BYTES);
  let at = 0;
  out[at++] = 0x5b;
  for (let index = 0; index < elements.length; index++) {
    const element = elements[index] as string;
    if (index > 0) out[at++] = 0x2c;
    const written = out.write(element, at, "utf8");
    if (written !== element.length) {
      out.buffer.transfer(0);
      return `[${elements.join(",")}]`;
    }
    at += written;
  }
  out[at] = 0x5d;
  const text = out.toString("latin1", 0, chars);
  // The string is a copy: the buffer's memory goes back now, not whenever the collector finds it,
  // so a large answer holds the payload's size once less at its peak.
  out.buffer.transfer(0);
  return text;
}
