import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv-provider.js";

let shared: AjvJsonSchemaValidator | undefined;

/**
 * One JSON Schema validator for every SDK Client and Server the gateway creates. Left to itself
 * the SDK builds a new Ajv with all its formats for each of them, two per agent session: about
 * 2 ms of CPU and 30 KB apiece, for validators the forwarding path never uses.
 */
export function sharedSchemaValidator(): AjvJsonSchemaValidator {
  shared ??= new AjvJsonSchemaValidator();
  return shared;
}
