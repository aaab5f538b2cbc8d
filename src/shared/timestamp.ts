/** RFC 3339 in UTC to the second ("2026-01-02T03:04:05Z"), as the reference's Go time.RFC3339 writes it. */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
