// label_resource: what a tool call touches, and whether it reads or writes. The tool names and
// argument names are those of @modelcontextprotocol/server-filesystem.

import { JsonValue } from "./json";
import {
  joinLabels,
  Labels,
  labelsOfPath,
  refusedWriteLabels,
  serverInfoLabels,
  subtreeSecrecy,
  subtreeTrust,
  unknownReadLabels,
} from "./labels";
import { resolvePath } from "./paths";
import { markOwnerOnly, markOwnerOnlyAll } from "./permissions";
import { levelName, Policy } from "./policy";

export const OP_READ = "read";
export const OP_WRITE = "write";
export const OP_READ_WRITE = "read-write";

/** Reads that return a file's content, so the owner-only check applies to them. */
const CONTENT_READS: string[] = ["read_file", "read_text_file", "read_media_file"];

const SINGLE_PATH_READS: string[] = [
  "read_file",
  "read_text_file",
  "read_media_file",
  "get_file_info",
  "list_directory",
  "list_directory_with_sizes",
  "directory_tree",
  "search_files",
];

export class ResourceDecision {
  operation: string = OP_WRITE;
  labels: Labels = new Labels();
}

function decision(operation: string, labels: Labels): ResourceDecision {
  const d = new ResourceDecision();
  d.operation = operation;
  d.labels = labels;
  return d;
}

/** The resolved path in args[key], or null when it is missing or cannot be placed. */
export function pathArgument(policy: Policy, args: JsonValue | null, key: string): string | null {
  if (args == null) return null;
  const value = args.get(key);
  if (value == null || !value.isString()) return null;
  return resolvePath(policy.root, value.str);
}

/** Labels of every path in args.paths (read_multiple_files); null if any cannot be placed. */
export function pathListLabels(policy: Policy, args: JsonValue | null): Labels[] | null {
  const value: JsonValue | null = args == null ? null : args.get("paths");
  if (value == null || !value.isArray() || value.items.length == 0) return null;
  const all: Labels[] = [];
  const paths: string[] = [];
  for (let i = 0; i < value.items.length; i++) {
    const item = value.items[i];
    const path = item.isString() ? resolvePath(policy.root, item.str) : null;
    if (path == null) return null;
    paths.push(path);
    all.push(labelsOfPath(policy, path));
  }
  markOwnerOnlyAll(policy, paths, all);
  return all;
}

export function labelResource(policy: Policy, tool: string, args: JsonValue | null): ResourceDecision {
  if (SINGLE_PATH_READS.includes(tool)) {
    const path = pathArgument(policy, args, "path");
    if (path == null) return decision(OP_READ, unknownReadLabels(policy, tool));
    const labels = labelsOfPath(policy, path);
    if (CONTENT_READS.includes(tool)) markOwnerOnly(policy, path, labels);
    return decision(OP_READ, labels);
  }
  if (tool == "read_multiple_files") {
    const all = pathListLabels(policy, args);
    if (all == null) return decision(OP_READ, unknownReadLabels(policy, tool));
    return decision(OP_READ, joinLabels(all, "files:" + all.length.toString()));
  }
  if (tool == "list_allowed_directories") return decision(OP_READ, serverInfoLabels(policy));
  if (tool == "write_file" || tool == "create_directory") {
    const path = pathArgument(policy, args, "path");
    if (path == null) return decision(OP_WRITE, refusedWriteLabels(policy, tool + " without a usable path"));
    return decision(OP_WRITE, labelsOfPath(policy, path));
  }
  // edit_file answers with a diff of the file, so it reveals the file as well as changing it.
  if (tool == "edit_file") {
    const path = pathArgument(policy, args, "path");
    if (path == null) return decision(OP_READ_WRITE, refusedWriteLabels(policy, tool + " without a usable path"));
    const labels = labelsOfPath(policy, path);
    markOwnerOnly(policy, path, labels);
    return decision(OP_READ_WRITE, labels);
  }
  if (tool == "move_file") return decision(OP_WRITE, moveLabels(policy, args));
  return decision(OP_WRITE, refusedWriteLabels(policy, "unknown tool " + tool + ": the filesystem guard refuses it"));
}

/**
 * A move writes at both ends: the agent needs the integrity of both folders, and its secrecy
 * must fit the destination. The moved files keep their content but take the labels of their new
 * place, so a move that would make anything less private (declassify it) or more trusted
 * (endorse it) is refused: neither should happen without a person deciding it. Both checks look
 * at the whole moved tree, since moving a folder moves the private or untrusted folders inside it.
 */
function moveLabels(policy: Policy, args: JsonValue | null): Labels {
  const source = pathArgument(policy, args, "source");
  const destination = pathArgument(policy, args, "destination");
  if (source == null || destination == null) return refusedWriteLabels(policy, "move_file without usable paths");
  const to = labelsOfPath(policy, destination);
  const moved = subtreeSecrecy(policy, source);
  for (let i = 0; i < moved.length; i++) {
    if (!to.secrecy.includes(moved[i])) {
      return refusedWriteLabels(policy, "move_file would move " + source + " (" + moved[i] + ") to the less private " + destination);
    }
  }
  const movedTrust = subtreeTrust(policy, source, true);
  const destinationTrust = subtreeTrust(policy, destination, false);
  if (movedTrust < destinationTrust) {
    return refusedWriteLabels(
      policy,
      "move_file would raise " + source + " from trust " + levelName(movedTrust) + " to " + levelName(destinationTrust) + " at " + destination,
    );
  }
  to.description = "move:" + source + "->" + destination;
  to.addIntegrity(labelsOfPath(policy, source).integrity);
  return to;
}
