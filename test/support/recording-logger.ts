import type { DifcFilteredRecord, GatewayLogger, LogLevel, RpcLogRecord } from "../../src/log/types.ts";

export interface RecordedLine {
  level: LogLevel;
  category: string;
  message: string;
  serverId?: string;
}

/** A GatewayLogger that keeps every entry in memory so tests can assert on log lines. */
export class RecordingLogger implements GatewayLogger {
  readonly lines: RecordedLine[] = [];
  readonly rpcRecords: RpcLogRecord[] = [];
  readonly filtered: DifcFilteredRecord[] = [];
  readonly toolCatalogue = new Map<string, Array<{ name: string; description?: string }>>();
  readonly urlDomains: Array<{ key: string; domains: string[] }> = [];
  readonly unrecognizedEndpoints: Array<{ method: string; path: string }> = [];

  log(level: LogLevel, category: string, message: string): void {
    this.lines.push({ level, category, message });
  }
  server(serverId: string, level: LogLevel, category: string, message: string): void {
    this.lines.push({ level, category, message, serverId });
  }
  rpc(record: RpcLogRecord): void {
    this.rpcRecords.push(record);
  }
  difcFiltered(record: DifcFilteredRecord): void {
    this.filtered.push(record);
  }
  tools(serverId: string, tools: ReadonlyArray<{ name: string; description?: string }>): void {
    this.toolCatalogue.set(
      serverId,
      tools.map(({ name, description }) => ({ name, ...(description === undefined ? {} : { description }) })),
    );
  }
  unrecognizedEndpoint(method: string, path: string): void {
    this.unrecognizedEndpoints.push({ method, path });
  }
  observedUrlDomains(key: string, domains: readonly string[]): void {
    this.urlDomains.push({ key, domains: [...domains] });
  }
  async close(): Promise<void> {}

  /** Messages (of one server, when given) containing `text`. */
  matching(text: string, serverId?: string): string[] {
    return this.lines.filter((line) => line.message.includes(text) && (serverId === undefined || line.serverId === serverId)).map((line) => line.message);
  }
}
