import type { Tool } from "@modelcontextprotocol/sdk/types.js";

type Schema = Record<string, unknown>;

/**
 * Backend tools whose inputSchema is missing or not an object schema would make an agent's SDK
 * reject the whole tools/list. Like the reference, the gateway repairs them: a missing schema
 * becomes an empty object schema, `type: "object"` is added when only properties are given, and an
 * object schema gets an empty `properties`. Returns the repaired tool and what was changed.
 */
export function normalizeInputSchema(tool: Tool): { tool: Tool; change?: string } {
  const schema = tool.inputSchema as Schema | undefined;
  if (schema === undefined || schema === null || typeof schema !== "object") {
    return { tool: { ...tool, inputSchema: { type: "object", properties: {} } }, change: "missing inputSchema replaced by an empty object schema" };
  }
  if (schema.type === undefined) {
    const properties = schema.properties ?? {};
    return { tool: { ...tool, inputSchema: { ...schema, type: "object", properties } as Tool["inputSchema"] }, change: 'added type "object"' };
  }
  if (schema.type === "object" && schema.properties === undefined && schema.additionalProperties === undefined) {
    return { tool: { ...tool, inputSchema: { ...schema, properties: {} } as Tool["inputSchema"] }, change: "added empty properties" };
  }
  return { tool };
}
