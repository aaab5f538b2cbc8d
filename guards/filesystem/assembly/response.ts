// label_response: labels for what the server answered, per item where the answer lists several
// files, so the gateway can hide private or untrusted entries and keep the rest.
//
// server-filesystem answers listings as plain text lines, which the gateway's path format cannot
// address (it points into JSON), so those come back in the items format with one item per line.
// directory_tree answers JSON, so it uses the path format. Single files are one item.

import { JsonValue, parseJson } from "./json";
import { JsonWriter } from "./json-writer";
import { resultText } from "./result";
import { joinLabels, Labels, labelsOfPath, unknownReadLabels } from "./labels";
import { childPath, resolvePath } from "./paths";
import { Policy } from "./policy";
import { labelResource, pathArgument, pathListLabels } from "./resource";

export function labelResponse(policy: Policy, tool: string, args: JsonValue | null, result: JsonValue): JsonWriter {
  if (tool == "read_multiple_files") return multipleFiles(policy, args, result);
  const whole = labelResource(policy, tool, args).labels;
  const isError = result.get("isError");
  if (isError != null && isError.bool) return singleItem(result, whole);

  if (tool == "list_directory" || tool == "list_directory_with_sizes") {
    const folder = pathArgument(policy, args, "path");
    if (folder == null) return singleItem(result, whole);
    return lineItems(listingLabels(policy, folder, resultText(result), tool == "list_directory_with_sizes"));
  }
  if (tool == "search_files") return lineItems(searchLabels(policy, resultText(result), whole));
  if (tool == "directory_tree") {
    const folder = pathArgument(policy, args, "path");
    const tree = parseJson(resultText(result));
    if (folder == null || tree == null || !tree.isArray()) return singleItem(result, whole);
    return treePaths(policy, folder, tree);
  }
  return singleItem(result, whole);
}

class LineItem {
  line: string = "";
  labels: Labels = new Labels();
}

function lineItem(line: string, labels: Labels): LineItem {
  const item = new LineItem();
  item.line = line;
  item.labels = labels;
  return item;
}

/**
 * Labels for an entry the agent did not name (a listing's, a search's, a tree's): a private one
 * is described without its name, which the filter notice and the logs would otherwise show to
 * whoever may not see it. The notice still counts it.
 */
function unnamedIfPrivate(labels: Labels): Labels {
  if (labels.secrecy.length > 0) labels.description = "private entry";
  return labels;
}

function lineItems(items: LineItem[]): JsonWriter {
  const out = new JsonWriter().raw('{"items":[');
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out.raw(",");
    out.raw("{").key("data").string(items[i].line).raw(",").key("labels");
    items[i].labels.write(out);
    out.raw("}");
  }
  return out.raw("]}");
}

function singleItem(result: JsonValue, labels: Labels): JsonWriter {
  const out = new JsonWriter().raw('{"items":[{').key("data").value(result).raw(",").key("labels");
  labels.write(out);
  return out.raw("}]}");
}

/** The entry name in "[FILE] name" / "[DIR] name" (padded and followed by a size in the sized form). */
function entryName(line: string, sized: bool): string | null {
  let rest: string;
  if (line.startsWith("[FILE] ")) rest = sized ? stripSize(line.substring(7)) : line.substring(7);
  else if (line.startsWith("[DIR] ")) rest = line.substring(6);
  else return null;
  // The sized listing pads names to 30 characters; only files are followed by a size.
  if (sized) rest = rest.trimEnd();
  return rest.length == 0 || rest.includes("/") ? null : rest;
}

/** Removes a trailing size such as "   12 B" or " 1.50 KB" written by list_directory_with_sizes. */
function stripSize(text: string): string {
  const units = [" B", " KB", " MB", " GB", " TB"];
  for (let u = 0; u < units.length; u++) {
    if (!text.endsWith(units[u])) continue;
    let i = text.length - units[u].length;
    while (i > 0) {
      const c = text.charCodeAt(i - 1);
      if ((c < 0x30 || c > 0x39) && c != 0x2e) break;
      i--;
    }
    return text.substring(0, i);
  }
  return text;
}

function listingLabels(policy: Policy, folder: string, text: string, sized: bool): LineItem[] {
  const items: LineItem[] = [];
  const entries: Labels[] = [];
  const summaries: string[] = [];
  if (text.length == 0) return items;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const name = entryName(line, sized);
    if (name != null) {
      const labels = unnamedIfPrivate(labelsOfPath(policy, childPath(folder, name)));
      entries.push(labels);
      items.push(lineItem(line, labels));
    } else if (line.length > 0) summaries.push(line);
  }
  // Totals and anything unexpected describe all entries at once, so they carry all their labels.
  if (summaries.length > 0) {
    const all = entries.length > 0 ? joinLabels(entries, "listing summary") : unknownReadLabels(policy, "listing line");
    for (let i = 0; i < summaries.length; i++) items.push(lineItem(summaries[i], all));
  }
  return items;
}

function searchLabels(policy: Policy, text: string, whole: Labels): LineItem[] {
  const items: LineItem[] = [];
  if (text.length == 0) return items;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length == 0) continue;
    const path = line.startsWith("/") ? resolvePath(policy.root, line) : null;
    // "No matches found" is about the searched folder; anything else unplaceable fails closed.
    const labels =
      path != null
        ? unnamedIfPrivate(labelsOfPath(policy, path))
        : line == "No matches found"
          ? whole
          : unnamedIfPrivate(unknownReadLabels(policy, line));
    items.push(lineItem(line, labels));
  }
  return items;
}

/** directory_tree: one labelled path per top-level entry, labelled with everything below it. */
function treePaths(policy: Policy, folder: string, tree: JsonValue): JsonWriter {
  const out = new JsonWriter().raw('{"labeled_paths":[');
  for (let i = 0; i < tree.items.length; i++) {
    if (i > 0) out.raw(",");
    const collected: Labels[] = [];
    collectTree(policy, folder, tree.items[i], collected);
    const labels =
      collected.length > 0 ? joinLabels(collected, "tree:" + folder) : unknownReadLabels(policy, "tree entry");
    if (collected.length > 0) labels.description = collected[0].description;
    unnamedIfPrivate(labels);
    out.raw("{").key("path").string("/" + i.toString()).raw(",").key("labels");
    labels.write(out);
    out.raw("}");
  }
  out.raw("],").key("default_labels");
  unknownReadLabels(policy, "tree entry").write(out);
  return out.raw("}");
}

function collectTree(policy: Policy, folder: string, node: JsonValue, out: Labels[]): void {
  const name = node.get("name");
  if (name == null || !name.isString() || name.str.length == 0 || name.str.includes("/")) {
    out.push(unknownReadLabels(policy, "tree entry"));
    return;
  }
  const path = childPath(folder, name.str);
  out.push(labelsOfPath(policy, path));
  const children = node.get("children");
  if (children == null || !children.isArray()) return;
  for (let i = 0; i < children.items.length; i++) collectTree(policy, path, children.items[i], out);
}

/**
 * read_multiple_files joins "<path>:\n<content>" sections with "\n---\n". Only when the split
 * gives exactly one section per requested path, each starting with its path, can no file's
 * content have contained the separator; otherwise the whole answer is one item with all labels.
 */
function multipleFiles(policy: Policy, args: JsonValue | null, result: JsonValue): JsonWriter {
  const perPath = pathListLabels(policy, args);
  const paths: JsonValue | null = args == null ? null : args.get("paths");
  if (perPath == null || paths == null) return singleItem(result, unknownReadLabels(policy, "read_multiple_files"));
  const whole = joinLabels(perPath, "files:" + perPath.length.toString());
  const isError = result.get("isError");
  if (isError != null && isError.bool) return singleItem(result, whole);
  const sections = resultText(result).split("\n---\n");
  if (sections.length != perPath.length) return singleItem(result, whole);
  const items: LineItem[] = [];
  for (let i = 0; i < sections.length; i++) {
    if (!sections[i].startsWith(paths.items[i].str + ":")) return singleItem(result, whole);
    items.push(lineItem(sections[i], perPath[i]));
  }
  return lineItems(items);
}
