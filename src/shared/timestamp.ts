/** RFC 3339 in UTC to the second ("2026-01-02T03:04:05Z"), as the reference's Go time.RFC3339 writes it. */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Go's log.Printf prefix in local time, which the reference's stderr lines carry: "YYYY/MM/DD HH:MM:SS". */
export function goLogTimestamp(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}/${pad(now.getMonth() + 1)}/${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
}
