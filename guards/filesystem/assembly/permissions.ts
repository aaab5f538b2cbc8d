// The one decision the guard cannot make from a path alone: whether a file is readable only by
// its owner (mode 600, 700, 400: an SSH key, a .env file). The guard asks the server with
// get_file_info, through the host's call_backend.

import { callBackend } from "./host";
import { JsonValue, parseJson } from "./json";
import { JsonWriter } from "./json-writer";
import { Labels } from "./labels";
import { Policy } from "./policy";
import { resultText } from "./result";

/** Reads of more files than this at once are not checked one by one: all count as owner-only. */
const MAX_CHECKS_PER_CALL = 40;

/**
 * Adds the owner-only tag to labels when the policy asks for it and the file is owner-only, or
 * when the guard cannot find out (the call failed, or the answer has no permissions line).
 */
export function markOwnerOnly(policy: Policy, path: string, labels: Labels): void {
  if (!policy.ownerOnlyPrivate) return;
  if (!isReadableByOthers(path)) labels.addSecrecy([policy.ownerOnlyTag]);
}

/** Marks each file of a multi-file read, or all of them when there are too many to ask about. */
export function markOwnerOnlyAll(policy: Policy, paths: string[], labels: Labels[]): void {
  if (!policy.ownerOnlyPrivate) return;
  const tooMany = paths.length > MAX_CHECKS_PER_CALL;
  for (let i = 0; i < paths.length; i++) {
    if (tooMany || !isReadableByOthers(paths[i])) labels[i].addSecrecy([policy.ownerOnlyTag]);
  }
}

function isReadableByOthers(path: string): bool {
  const args = new JsonWriter().raw("{").key("path").string(path).raw("}").toString();
  const answer = callBackend("get_file_info", args);
  if (answer == null) return false;
  const result = parseJson(answer);
  if (result == null || !result.isObject()) return false;
  const isError = result.get("isError");
  if (isError != null && isError.bool) return false;
  return groupOrOthersMayRead(permissionsOf(<JsonValue>result));
}

/** The octal digits after "permissions: " in get_file_info's text answer, or "". */
function permissionsOf(result: JsonValue): string {
  const lines = resultText(result).split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith("permissions: ")) return lines[i].substring(13).trim();
  }
  return "";
}

/** True when the last two octal digits (group, others) include the read bit 4. */
function groupOrOthersMayRead(mode: string): bool {
  if (mode.length < 3) return false;
  for (let i = mode.length - 2; i < mode.length; i++) {
    const digit = mode.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 7) return false;
    if ((digit & 4) != 0) return true;
  }
  return false;
}
