// `tool_response_filters` (gateway.md §5 step 1): a per-tool jq expression rewrites a backend's
// tools/call result before the URL audit and the size check. When the first content item is
// text holding JSON, jq runs on that JSON and its output replaces the text (the items after it,
// such as DIFC notices, stay); otherwise jq runs on the whole result object and its output
// becomes the content. jq must produce exactly one value. Any failure is logged and the client
// gets the unfiltered result: a filter shapes output, it never makes a call fail.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ServerConfig } from "../../config/index.ts";
import { describeRunError, JqEngine, runtimeProgram } from "../../config/jq/index.ts";
import type { GatewayLogger } from "../../log/index.ts";
import type { ForwardMiddleware } from "../forward/index.ts";
import { errorText } from "../../shared/index.ts";

type Content = CallToolResult["content"];
type EmbeddedResource = Extract<Content[number], { type: "resource" }>["resource"];

/** The one JSON text jq printed, or why there is not exactly one. */
async function runOnce(engine: JqEngine, program: string, input: string): Promise<string> {
  const { exitCode, stdout, stderr } = await engine.run(program, input).catch((error: unknown) => {
    throw new Error(`tool response filter execution failed: ${errorText(error)}`);
  });
  if (exitCode !== 0) throw new Error(`tool response filter error: ${describeRunError(stderr)}`);
  const outputs = stdout === "" ? [] : stdout.split("\n");
  if (outputs.length === 0) throw new Error("tool response filter returned no results");
  if (outputs.length > 1) {
    throw new Error("tool response filter returned multiple results — use array form ([.a, .b]) to combine outputs into a single value");
  }
  return outputs[0]!;
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A content item as the reference converts one: unknown types become text with their `text`. */
function toContentItem(item: unknown): Content[number] {
  if (typeof item === "object" && item !== null && !Array.isArray(item)) {
    const record = item as Record<string, unknown>;
    switch (record["type"]) {
      case "text":
        return { type: "text", text: typeof record["text"] === "string" ? record["text"] : "" };
      case "image":
      case "audio":
        return { type: record["type"], data: String(record["data"] ?? ""), mimeType: String(record["mimeType"] ?? "") };
      case "resource":
        if (typeof record["resource"] === "object" && record["resource"] !== null)
          return { type: "resource", resource: record["resource"] as EmbeddedResource };
    }
    return { type: "text", text: typeof record["text"] === "string" ? record["text"] : "" };
  }
  return { type: "text", text: JSON.stringify(item) };
}

/** A filter's output over the whole result, back as content (gateway.md §3.8 step 13). */
function toContent(output: unknown, json: string): Content {
  const content = typeof output === "object" && output !== null && !Array.isArray(output) ? (output as Record<string, unknown>)["content"] : undefined;
  return Array.isArray(content) ? content.map(toContentItem) : [{ type: "text", text: json }];
}

export class ResponseFilters {
  readonly #filters = new Map<string, ReadonlyMap<string, string>>();
  readonly #engine: JqEngine;
  readonly #logger: GatewayLogger;

  constructor(servers: readonly ServerConfig[], engine: JqEngine, logger: GatewayLogger) {
    for (const server of servers) {
      const filters = Object.entries(server.toolResponseFilters ?? {});
      if (filters.length > 0) this.#filters.set(server.id, new Map(filters.map(([tool, filter]) => [tool, runtimeProgram(filter.trim())])));
    }
    this.#engine = engine;
    this.#logger = logger;
  }

  /**
   * The servers' filters on their own jq engine, warmed now so the first filtered call does not
   * wait for a worker to boot; undefined when no server has a filter, so no engine is started.
   */
  static forServers(servers: readonly ServerConfig[], logger: GatewayLogger, timeoutMs?: number): ResponseFilters | undefined {
    if (!servers.some((server) => Object.keys(server.toolResponseFilters ?? {}).length > 0)) return undefined;
    const engine = new JqEngine(timeoutMs === undefined ? {} : { timeoutMs });
    engine.warm();
    return new ResponseFilters(servers, engine, logger);
  }

  /** `result` rewritten by the tool's filter, or `result` itself (no filter, an error result, a failure). */
  async apply(serverId: string, tool: string, result: CallToolResult): Promise<CallToolResult> {
    const program = this.#filters.get(serverId)?.get(tool);
    if (program === undefined || result.isError === true) return result;
    try {
      const [first, ...rest] = result.content ?? [];
      if (first?.type === "text" && parsesAsJson(first.text)) {
        const text = await runOnce(this.#engine, program, first.text);
        return { ...result, content: [{ ...first, text }, ...rest] };
      }
      const json = await runOnce(this.#engine, program, JSON.stringify(result));
      return { ...result, content: toContent(JSON.parse(json), json) };
    } catch (error) {
      this.#logger.log(
        "warn",
        "payload",
        `Failed to apply tool response filter, returning original response: server=${serverId}, tool=${tool}, error=${errorText(error)}`,
      );
      return result;
    }
  }

  close(): Promise<void> {
    return this.#engine.close();
  }
}

/** The response filters as a step of the forward chain, on tools/call results. */
export function responseFilterStep(filters: ResponseFilters): ForwardMiddleware {
  return (next) => async (request) => {
    const result = await next(request);
    if (request.method !== "tools/call") return result;
    const tool = request.params?.["name"];
    return filters.apply(request.serverId, typeof tool === "string" ? tool : "", result as CallToolResult);
  };
}
