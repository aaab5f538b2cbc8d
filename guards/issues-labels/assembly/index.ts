// A guard shaped like a production GitHub guard, for the guard-host benchmark (bench/guard.ts):
// it does the work such a guard does on a `list_issues` answer. label_resource and
// label_response both ask the backend for the repository's facts (call_backend
// `get_repository`), so each call makes one round trip to the host while the guard runs;
// label_response then parses the tool result, parses the issue list inside its text item, and
// labels every issue by the repository's visibility and the author's association with it.
// The JSON reader, writer and host bindings are the filesystem guard's.

import { alloc, dealloc, callBackend, CALL_FAILED } from "../../filesystem/assembly/host";
import { JsonValue, parseJson, parseJsonBytes, KIND_BOOL } from "../../filesystem/assembly/json";
import { JsonWriter } from "../../filesystem/assembly/json-writer";

export { alloc, dealloc };

/** Authors whose issues the repository vouches for (integrity "approved"). */
const TRUSTED_ASSOCIATIONS = ["OWNER", "MEMBER", "COLLABORATOR"];

class Repository {
  name: string;
  isPrivate: bool;
  constructor(name: string, isPrivate: bool) {
    this.name = name;
    this.isPrivate = isPrivate;
  }
}

function member(value: JsonValue | null, key: string): JsonValue | null {
  return value == null ? null : value.get(key);
}

function stringMember(value: JsonValue | null, key: string): string {
  const found = member(value, key);
  return found != null && found.isString() ? found.str : "";
}

/** The text of a tool result's first text item, parsed; null if there is none or it is not JSON. */
function resultText(result: JsonValue | null): JsonValue | null {
  const content = member(result, "content");
  if (content == null || !content.isArray() || content.items.length == 0) return null;
  const text = member(content.items[0], "text");
  return text != null && text.isString() ? parseJson(text.str) : null;
}

/** Asks the backend whether owner/repo is private; null when it cannot say (fail closed). */
function repository(args: JsonValue | null): Repository | null {
  const owner = stringMember(args, "owner");
  const repo = stringMember(args, "repo");
  if (owner == "" || repo == "") return null;
  const query = new JsonWriter().raw("{").key("owner").string(owner).raw(",").key("repo").string(repo).raw("}").toString();
  const answer = callBackend("get_repository", query);
  if (answer == null) return null;
  const facts = resultText(parseJson(answer));
  const flag = member(facts, "private");
  if (flag == null || flag.kind != KIND_BOOL) return null;
  return new Repository(owner + "/" + repo, flag.bool);
}

function writeLabels(out: JsonWriter, description: string, repo: Repository, approved: bool): void {
  out.key("labels").raw("{").key("description").string(description).raw(",").key("secrecy");
  out.stringArray(repo.isPrivate ? ["private:" + repo.name] : []);
  out.raw(",").key("integrity").stringArray(approved ? ["approved:" + repo.name] : []).raw("}");
}

export function label_agent(_inputPtr: i32, _inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  return new JsonWriter().raw('{"agent":{"secrecy":[],"integrity":[]},"difc_mode":"filter"}').writeTo(<usize>outputPtr, outputSize);
}

export function label_resource(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const input = parseJsonBytes(<usize>inputPtr, inputLen, null);
  const repo = repository(member(input, "tool_args"));
  if (repo == null) return CALL_FAILED;
  const out = new JsonWriter().raw("{").key("resource").raw("{").key("description").string("repo:" + repo.name);
  out.raw(",").key("secrecy").stringArray(repo.isPrivate ? ["private:" + repo.name] : []);
  out.raw(',"integrity":[]},"operation":"read"}');
  return out.writeTo(<usize>outputPtr, outputSize);
}

export function label_response(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const input = parseJsonBytes(<usize>inputPtr, inputLen, null);
  const repo = repository(member(input, "tool_args"));
  if (repo == null) return CALL_FAILED;
  const issues = resultText(member(input, "tool_result"));
  if (issues == null || !issues.isArray()) return 0;
  const out = new JsonWriter().raw('{"items_path":"","labeled_paths":[');
  for (let i = 0; i < issues.items.length; i++) {
    const issue = issues.items[i];
    if (i > 0) out.raw(",");
    const number = member(issue, "number");
    const id = number != null ? (<i64>number.number).toString() : "?";
    const approved = TRUSTED_ASSOCIATIONS.includes(stringMember(issue, "author_association"));
    out.raw('{"path":"/' + i.toString() + '",');
    writeLabels(out, "issue:" + repo.name + "#" + id, repo, approved);
    out.raw("}");
  }
  out.raw("]}");
  return out.writeTo(<usize>outputPtr, outputSize);
}
