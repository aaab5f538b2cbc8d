// Filesystem guard for @modelcontextprotocol/server-filesystem. The three label functions are the
// guard ABI; each reads a JSON input, answers JSON, and returns the answer's length (or −1 when it
// cannot decide, which the gateway turns into a denied call). See ../README.md.

import { callBackend, CALL_FAILED, log, LOG_ERROR, LOG_INFO } from "./host";
import { JsonValue, parseJson, parseJsonBytes } from "./json";
import { JsonWriter } from "./json-writer";
import { allPrivateTags, integrityTags } from "./labels";
import { normalizeAbsolute } from "./paths";
import { levelName, OWNER_ONLY_FOLDER, parsePolicy, Policy, setRoot } from "./policy";
import { labelResource } from "./resource";
import { labelResponse } from "./response";
import { resultText } from "./result";

export { alloc, dealloc } from "./host";

// The policy of the last label_agent call; the host keeps one instance per server.
let current: Policy | null = null;

// Each entry point frees what the call left behind before returning: a call allocates a lot of
// short-lived strings, and the 32 MiB memory cap is better spent on the next large answer.
export function label_agent(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const written = agentLabels(inputPtr, inputLen, outputPtr, outputSize);
  __collect();
  return written;
}

export function label_resource(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const written = resourceLabels(inputPtr, inputLen, outputPtr, outputSize);
  __collect();
  return written;
}

export function label_response(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const written = responseLabels(inputPtr, inputLen, outputPtr, outputSize);
  __collect();
  return written;
}

function agentLabels(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const input = parseJsonBytes(<usize>inputPtr, inputLen, null);
  if (input == null || !input.isObject()) return rejection("label_agent input is not a JSON object", outputPtr, outputSize);
  const parsed = parsePolicy(input);
  const policy = parsed.policy;
  if (policy == null) return rejection(parsed.error, outputPtr, outputSize);
  current = policy;
  log(LOG_INFO, "policy: scope " + policy.scope + ", " + policy.privateFolders.length.toString() + " private folders");

  const clearance: string[] = [];
  for (let i = 0; i < policy.clearance.length; i++) {
    const folder = policy.clearance[i];
    clearance.push(folder == OWNER_ONLY_FOLDER ? policy.ownerOnlyTag : policy.privateTags[policy.privateFolders.indexOf(folder)]);
  }
  const out = new JsonWriter().raw("{").key("agent").raw("{").key("secrecy").stringArray(clearance);
  out.raw(",").key("integrity").stringArray(integrityTags(policy, policy.minIntegrity)).raw("}");
  out.raw(",").key("difc_mode").string(policy.mode);
  out.raw(",").key("normalized_policy").raw("{").key("scope_kind").string("filesystem");
  out.raw(",").key("fs-scope").string(policy.scope);
  out.raw(",").key("min-integrity").string(levelName(policy.minIntegrity));
  out.raw(",").key("private").stringArray(allPrivateTags(policy)).raw("}}");
  return out.writeTo(<usize>outputPtr, outputSize);
}

function resourceLabels(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const input = parseJsonBytes(<usize>inputPtr, inputLen, null);
  const policy = readyPolicy();
  if (input == null || policy == null) return CALL_FAILED;
  const tool = input.get("tool_name");
  if (tool == null || !tool.isString()) return CALL_FAILED;
  const decided = labelResource(policy, tool.str, input.get("tool_args"));
  const out = new JsonWriter().raw("{").key("resource");
  decided.labels.write(out);
  out.raw(",").key("operation").string(decided.operation).raw("}");
  return out.writeTo(<usize>outputPtr, outputSize);
}

function responseLabels(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const input = parseJsonBytes(<usize>inputPtr, inputLen, null);
  const policy = readyPolicy();
  if (input == null || policy == null) return CALL_FAILED;
  const tool = input.get("tool_name");
  const result = input.get("tool_result");
  if (tool == null || !tool.isString() || result == null) return CALL_FAILED;
  return labelResponse(policy, tool.str, input.get("tool_args"), result).writeTo(<usize>outputPtr, outputSize);
}

function rejection(message: string, outputPtr: i32, outputSize: i32): i32 {
  const out = new JsonWriter().raw("{").key("success").raw("false,").key("error").string(message).raw("}");
  return out.writeTo(<usize>outputPtr, outputSize);
}

/** The policy with a known root, learning the root from the server on first use; null if impossible. */
function readyPolicy(): Policy | null {
  const policy = current;
  if (policy == null) {
    log(LOG_ERROR, "label_agent has not configured the filesystem guard yet");
    return null;
  }
  if (policy.root.length == 0) {
    const root = discoverRoot();
    if (root == null) return null;
    setRoot(policy, root);
  }
  return policy;
}

/** Asks the server which folder it serves (the first of its allowed directories). */
function discoverRoot(): string | null {
  const answer = callBackend("list_allowed_directories", "{}");
  const result: JsonValue | null = answer == null ? null : parseJson(answer);
  if (result != null) {
    const lines = resultText(result).split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].startsWith("/")) return normalizeAbsolute(lines[i].trimEnd());
    }
  }
  log(LOG_ERROR, 'cannot learn the served folder from list_allowed_directories; set "fs-root" in the guard\'s config');
  return null;
}
