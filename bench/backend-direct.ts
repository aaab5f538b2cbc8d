// The backend side of one tools/call alone, in one process: the SDK Client's request() against the
// direct path (src/backends/direct-requests.ts), over a transport that answers at once with a
// line read as the stdio reader reads it (src/backends/message-reader.ts) or, for comparison, as the
// SDK's deserializeMessage does. Prints CPU µs per call, best of several rounds.
// Usage: node bench/backend-direct.ts [--calls 20000] [--rounds 5] [--bytes 1024]
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { deserializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ResultSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { attachDirectRequests } from "../src/backends/direct-requests.ts";
import { BoundedMessageReader } from "../src/backends/message-reader.ts";

const { values } = parseArgs({
  options: { calls: { type: "string", default: "20000" }, rounds: { type: "string", default: "5" }, bytes: { type: "string", default: "1024" } },
});
const text = "x".repeat(Number(values.bytes));

/** Answers every request on the next microtask, its answer read from the bytes a stdio server would write. */
class AnsweringTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  readonly #read: (line: Buffer) => JSONRPCMessage;
  constructor(read: (line: Buffer) => JSONRPCMessage) {
    this.#read = read;
  }
  async start(): Promise<void> {}
  async close(): Promise<void> {
    this.onclose?.();
  }
  async send(message: JSONRPCMessage): Promise<void> {
    if (!("id" in message) || !("method" in message)) return;
    const result =
      message.method === "initialize"
        ? { protocolVersion: "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "bench", version: "1" } }
        : { content: [{ type: "text", text: `Echo: ${text}` }] };
    const line = Buffer.from(`${JSON.stringify({ result, jsonrpc: "2.0", id: message.id })}\n`);
    queueMicrotask(() => this.onmessage?.(this.#read(line)));
  }
}

const reader = new BoundedMessageReader(64 * 1024 * 1024, () => "too long");
const readers = {
  "SDK deserializeMessage": (line: Buffer) => deserializeMessage(line.toString("utf8").trimEnd()),
  "stdio reader": (line: Buffer) => {
    reader.append(line);
    return reader.readMessage()!;
  },
};

async function variant(readerName: keyof typeof readers, direct: boolean): Promise<number> {
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(new AnsweringTransport(readers[readerName]));
  const path = direct ? attachDirectRequests(client) : undefined;
  const params = { name: "echo", arguments: { message: text } };
  const calls = Number(values.calls);
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const abort = new AbortController();
    if (path) await path.request("tools/call", params, abort.signal);
    else await client.request({ method: "tools/call", params }, ResultSchema, { signal: abort.signal, timeout: 120_000 });
  }
  const used = process.cpuUsage(start);
  await client.close();
  return (used.user + used.system) / calls;
}

const cases: Array<[string, keyof typeof readers, boolean]> = [
  ["SDK Protocol, SDK deserializeMessage (main before this change)", "SDK deserializeMessage", false],
  ["SDK Protocol, stdio reader", "stdio reader", false],
  ["direct path, stdio reader", "stdio reader", true],
];
const best = new Map<string, number>();
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [label, readerName, direct] of cases) {
    const perCall = await variant(readerName, direct);
    best.set(label, Math.min(best.get(label) ?? Infinity, perCall));
  }
}
console.log(`| backend side of one tools/call (${values.bytes} B echo) | CPU µs/call, best of ${values.rounds} |\n|---|---:|`);
for (const [label, perCall] of best) console.log(`| ${label} | ${perCall.toFixed(1)} |`);
