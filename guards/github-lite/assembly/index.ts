// A small GitHub guard for the proxy's tests, built for the reference's ABI (guard-abi.md).
// Secrecy: what comes from a private repository carries `private:<owner>/<repo>`; the guard
// learns a repository's visibility through call_backend `search_repositories` (the proxy
// answers it from the GitHub REST API) and, when it cannot, takes the repository for private.
// Integrity: issues, pull requests and comments by author association (OWNER, MEMBER,
// COLLABORATOR → approved; CONTRIBUTOR, FIRST_TIME_CONTRIBUTOR, FIRST_TIMER → unapproved;
// anyone else → none); everything else in a repository (files, commits, releases) → merged.
// Listings with nothing of the kind (branches, tags) get no item labels: the coarse check decides.
// Policy: allow-only `repos` ("public", "all" or a list of owner/repo) and `min-integrity`.
// It shares the JSON reader and writer of the filesystem guard rather than keeping a copy
// (scripts/build-guards.ts rebuilds it when those change).

import { JsonValue, KIND_BOOL, KIND_NUMBER, parseJson, parseJsonBytes } from "../../filesystem/assembly/json";
import { JsonWriter } from "../../filesystem/assembly/json-writer";
import { callBackend } from "../../filesystem/assembly/host";

export { alloc, dealloc } from "../../filesystem/assembly/host";

const LEVELS: string[] = ["none", "unapproved", "approved", "merged"];

/** The integrity tags of a level: it and every level below it. */
function integrityTags(level: i32): string[] {
  const tags: string[] = [];
  for (let i = 0; i <= level && i < LEVELS.length; i++) tags.push(LEVELS[i]);
  return tags;
}

function levelOf(name: string): i32 {
  for (let i = 0; i < LEVELS.length; i++) if (LEVELS[i] == name) return i;
  return -1;
}

function associationLevel(association: string): i32 {
  if (association == "OWNER" || association == "MEMBER" || association == "COLLABORATOR") return 2;
  if (association == "CONTRIBUTOR" || association == "FIRST_TIME_CONTRIBUTOR" || association == "FIRST_TIMER") return 1;
  return 0;
}

function field(value: JsonValue | null, key: string): JsonValue | null {
  return value == null ? null : value.get(key);
}

function text(value: JsonValue | null): string {
  return value != null && value.isString() ? value.str : "";
}

/** Visibility answers already asked of the host, so a listing asks once per repository. */
const knownPrivate = new Map<string, bool>();

/** Whether owner/repo is private; a failed or unclear lookup counts as private (fail closed). */
function isPrivate(repository: string): bool {
  if (knownPrivate.has(repository)) return knownPrivate.get(repository);
  let privateRepo = true;
  const answer = callBackend("search_repositories", '{"query":"repo:' + repository + '","perPage":10}');
  let outer: JsonValue | null = null;
  if (answer != null) outer = parseJson(answer);
  const content = field(outer, "content");
  if (content != null && content.isArray() && content.items.length > 0) {
    const inner = parseJson(text(field(content.items[0], "text")));
    const items = field(inner, "items");
    if (items != null && items.isArray()) {
      for (let i = 0; i < items.items.length; i++) {
        const item = items.items[i];
        if (text(field(item, "full_name")).toLowerCase() != repository.toLowerCase()) continue;
        const flag = field(item, "private");
        if (flag != null && flag.kind == KIND_BOOL) privateRepo = flag.bool;
      }
    }
  }
  knownPrivate.set(repository, privateRepo);
  return privateRepo;
}

function secrecyFor(repository: string): string[] {
  return repository != "" && isPrivate(repository) ? ["private:" + repository] : [];
}

function writeLabels(writer: JsonWriter, description: string, secrecy: string[], integrity: string[]): void {
  writer.raw("{").key("description").string(description).raw(",").key("secrecy").stringArray(secrecy);
  writer.raw(",").key("integrity").stringArray(integrity).raw("}");
}

function argsRepository(input: JsonValue | null): string {
  const args = field(input, "tool_args");
  const owner = text(field(args, "owner"));
  const repo = text(field(args, "repo"));
  return owner != "" && repo != "" ? owner + "/" + repo : "";
}

export function label_agent(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const input = parseJsonBytes(<usize>inputPtr, inputLen, null);
  const policy = field(input, "allow-only");
  if (policy == null || !policy.isObject()) return -1;
  const repos = field(policy, "repos");
  const secrecy: string[] = [];
  if (repos != null && repos.isString()) {
    if (repos.str == "all") secrecy.push("*");
    else if (repos.str != "public") return -1;
  } else if (repos != null && repos.isArray()) {
    for (let i = 0; i < repos.items.length; i++) secrecy.push("private:" + text(repos.items[i]));
  } else {
    return -1;
  }
  const minimum = field(policy, "min-integrity");
  const level = minimum == null ? 0 : levelOf(text(minimum));
  if (level < 0) return -1;
  const writer = new JsonWriter();
  writer.raw('{"agent":{').key("secrecy").stringArray(secrecy).raw(",").key("integrity").stringArray([LEVELS[level]]);
  writer.raw('},"difc_mode":"filter"}');
  return writer.writeTo(<usize>outputPtr, outputSize);
}

export function label_resource(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const input = parseJsonBytes(<usize>inputPtr, inputLen, null);
  const tool = text(field(input, "tool_name"));
  const repository = argsRepository(input);
  // Issues and comments are labelled one by one in label_response; the resource is what the
  // least trusted of them could be, so a coarse check never lets a collection through unlabelled.
  const itemized = tool == "issue_read" || tool == "list_issues" || tool == "pull_request_read" || tool == "list_pull_requests" || tool == "search_issues";
  const writer = new JsonWriter();
  writer.raw('{"resource":');
  writeLabels(writer, tool + (repository != "" ? ":" + repository : ""), secrecyFor(repository), integrityTags(itemized ? 0 : 3));
  writer.raw(',"operation":"read"}');
  return writer.writeTo(<usize>outputPtr, outputSize);
}

/** The owner/repo an item of a search or listing belongs to, from its repository_url. */
function itemRepository(item: JsonValue, fallback: string): string {
  const url = text(field(item, "repository_url"));
  const at = url.indexOf("/repos/");
  return at >= 0 ? url.substring(at + 7) : fallback;
}

/**
 * An item someone wrote (it has an author, or a number as issues and pull requests do) is as trusted as its author's association, and one
 * whose association is not given is trusted as little as possible; other items (files, commits,
 * repositories) are the repository's own. Comments nested in the item (a GraphQL issue with its
 * `comments.nodes`) lower it to the least trusted of their authors, since they go out with it.
 */
function itemLevel(item: JsonValue): i32 {
  let association = field(item, "author_association");
  if (association == null) association = field(item, "authorAssociation");
  const authored = field(item, "user") != null || field(item, "author") != null || field(item, "number") != null;
  let level: i32 = association != null ? associationLevel(association.str) : authored ? 0 : 3;
  const comments = field(field(item, "comments"), "nodes");
  if (comments != null && comments.isArray()) {
    for (let i = 0; i < comments.items.length; i++) level = min(level, itemLevel(comments.items[i]));
  }
  return level;
}

function itemIntegrity(item: JsonValue): string[] {
  return integrityTags(itemLevel(item));
}

/** In a GraphQL answer, the repository's authored child (an issue, under whatever alias), if any. */
function authoredChild(result: JsonValue): JsonValue | null {
  const repository = field(field(result, "data"), "repository");
  if (repository == null || !repository.isObject()) return null;
  for (let i = 0; i < repository.items.length; i++) {
    const child = repository.items[i];
    if (child.isObject() && (field(child, "author") != null || field(child, "authorAssociation") != null || field(child, "__typename") != null)) return child;
  }
  return null;
}

function itemDescription(item: JsonValue, repository: string): string {
  const number = field(item, "number");
  if (number != null && number.kind == KIND_NUMBER) return "issue:" + repository + "#" + (<i64>number.number).toString();
  const name = text(field(item, "full_name"));
  return name != "" ? "repo:" + name : "item:" + repository;
}

/** Whether some item is labelled on its own: written by someone, or a repository of its own. */
function anyItemized(items: JsonValue): bool {
  for (let i = 0; i < items.items.length; i++) {
    const item = items.items[i];
    if (field(item, "user") != null || field(item, "author") != null || field(item, "number") != null || field(item, "full_name") != null) return true;
  }
  return false;
}

/** The items a response holds and where: a root array, a search envelope, or GraphQL nodes. */
function locateItems(result: JsonValue, path: string[]): JsonValue | null {
  if (result.isArray()) return result;
  const items = field(result, "items");
  if (items != null && items.isArray()) {
    path.push("/items");
    return items;
  }
  const repository = field(field(result, "data"), "repository");
  if (repository == null || !repository.isObject()) return null;
  for (let i = 0; i < repository.keys.length; i++) {
    const nodes = field(repository.items[i], "nodes");
    if (nodes != null && nodes.isArray()) {
      path.push("/data/repository/" + repository.keys[i] + "/nodes");
      return nodes;
    }
  }
  return null;
}

export function label_response(inputPtr: i32, inputLen: i32, outputPtr: i32, outputSize: i32): i32 {
  const input = parseJsonBytes(<usize>inputPtr, inputLen, null);
  const repository = argsRepository(input);
  const content = field(field(input, "tool_result"), "content");
  if (content == null || !content.isArray() || content.items.length == 0) return 0;
  const result = parseJson(text(field(content.items[0], "text")));
  if (result == null) return 0;
  const writer = new JsonWriter();
  const path: string[] = [];
  const items = locateItems(result, path);
  const itemsPath = path.length > 0 ? path[0] : "";
  if (items == null) {
    // One object (an issue, a file, a GraphQL answer): labelled as a whole.
    let subject: JsonValue = result;
    const single = authoredChild(result);
    if (single != null) subject = single;
    writer.raw('{"labeled_paths":[],"default_labels":');
    writeLabels(writer, itemDescription(subject, repository), secrecyFor(repository), itemIntegrity(subject));
    writer.raw("}");
    return writer.writeTo(<usize>outputPtr, outputSize);
  }
  // A listing of the repository's own things (branches, tags, commits) carries nothing to label
  // item by item: like the reference's guard, give no labels and leave it to the coarse check.
  if (itemsPath == "" && !anyItemized(items)) return 0;
  writer.raw('{"labeled_paths":[');
  for (let i = 0; i < items.items.length; i++) {
    const item = items.items[i];
    const owner = itemRepository(item, repository);
    const privateFlag = field(item, "private");
    const secrecy = privateFlag != null && privateFlag.kind == KIND_BOOL ? (privateFlag.bool ? ["private:" + text(field(item, "full_name"))] : []) : secrecyFor(owner);
    if (i > 0) writer.raw(",");
    writer.raw("{").key("path").string(itemsPath + "/" + i.toString()).raw(",").key("labels");
    writeLabels(writer, itemDescription(item, owner), secrecy, itemIntegrity(item));
    writer.raw("}");
  }
  writer.raw("]");
  if (itemsPath != "") writer.raw(",").key("items_path").string(itemsPath);
  writer.raw("}");
  return writer.writeTo(<usize>outputPtr, outputSize);
}
