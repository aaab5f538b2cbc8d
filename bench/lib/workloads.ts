// What a configuration is measured with: the call its latency rows time, the floor it is
// compared against, and whether it takes part in the 16-session throughput phase.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";

export interface Workload {
  /** Names the call in the report, e.g. "echo" or "read_text_file". */
  name: string;
  /** The configuration whose figures are the floor for this workload. */
  floor: string;
  /** The sequential small call (about 1 KB each way). */
  small(client: Client): Promise<unknown>;
  /** The sequential large call (256 KB), where the workload has one. */
  large?(client: Client): Promise<unknown>;
  /** Whether the throughput phase runs this workload's small call. */
  throughput: boolean;
}

const SMALL = "x".repeat(1024);
const LARGE = "y".repeat(256 * 1024);

function echo(client: Client, message: string): Promise<unknown> {
  return client.callTool({ name: "echo", arguments: { message } });
}

/** server-everything's `echo`, with 1 KB and 256 KB messages. */
export const echoWorkload: Workload = {
  name: "echo",
  floor: "direct",
  small: (client) => echo(client, SMALL),
  large: (client) => echo(client, LARGE),
  throughput: true,
};

/** server-filesystem's `read_text_file` of one small file; a tool error counts as a failed call. */
export function readFileWorkload(path: string): Workload {
  return {
    name: "read_text_file",
    floor: "direct-fs",
    async small(client) {
      const result = await client.callTool({ name: "read_text_file", arguments: { path } });
      if (result.isError) throw new Error(`read_text_file ${path} failed: ${JSON.stringify(result.content).slice(0, 300)}`);
      return result;
    },
    throughput: false,
  };
}
