// Cutting encoded text to a byte budget without splitting a character.

/** The longest prefix of `bytes` of at most `limit` bytes that ends on a UTF-8 character boundary. */
export function utf8Prefix(bytes: Buffer, limit: number): Buffer {
  if (bytes.length <= limit) return bytes;
  let end = limit;
  // Continuation bytes are 10xxxxxx; back up to the lead byte of the character that was cut.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}
