import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { CodedError } from "../../shared/index.ts";

/**
 * An error the MCP server layer sends as a JSON-RPC error with exactly this code and message
 * (an SDK McpError would prefix the message with "MCP error <code>: ").
 */
export class RpcError extends CodedError {}

export function unknownTool(name: string): RpcError {
  return new RpcError(ErrorCode.InvalidParams, `unknown tool "${name}"`);
}

export function toolNotAllowed(name: string): RpcError {
  return new RpcError(ErrorCode.InvalidParams, `tool "${name}" is not in the allowed-tools list for this server`);
}

export function unknownServer(kind: string, name: string): RpcError {
  return new RpcError(ErrorCode.InvalidParams, `unknown ${kind} "${name}": expected "<serverID>___<name>" naming a configured server`);
}
