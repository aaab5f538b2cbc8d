import { isPlainObject } from "./json.ts";
import { parseIndex, pointerSegments, resolvePointer } from "./json-pointer.ts";
import { arrayElementSpans, type ElementSpan } from "./json-spans.ts";
import { label, sortedTags, type Label, type ResourceLabels } from "./labels.ts";

/** One element of a labelled response: the item as the client would see it and its labels. */
export interface LabeledItem {
  readonly data: unknown;
  readonly labels: ResourceLabels;
  /** JSON.stringify(data), when it is known without encoding (a slice of the backend's text). */
  readonly json?: string | undefined;
}

/**
 * An element of the backend's JSON text, parsed each time someone looks at its data. Not kept:
 * a removed item is looked at once, for its log record, and keeping thousands of parsed items
 * alive until the response is sent made the garbage collector copy them into the old generation.
 */
class TextSpanItem implements LabeledItem {
  readonly labels: ResourceLabels;
  readonly #text: string;
  readonly #span: ElementSpan;

  constructor(text: string, span: ElementSpan, labels: ResourceLabels) {
    this.#text = text;
    this.#span = span;
    this.labels = labels;
  }

  get data(): unknown {
    return JSON.parse(this.#source());
  }

  get json(): string | undefined {
    return this.#span.canonical ? this.#source() : undefined;
  }

  #source(): string {
    return this.#text.slice(this.#span.start, this.#span.end);
  }
}

export interface LabeledCollection {
  readonly items: readonly LabeledItem[];
  /**
   * Where the collection sits in the JSON of the result's text, as a JSON pointer ("" for the
   * whole text); absent when the guard listed the items itself (legacy `items`) or labelled the
   * result as one whole item.
   */
  readonly itemsPath?: string;
}

/** The guard's label_response output could not be applied; the call must fail, never pass unfiltered. */
export class ResponseLabelingError extends Error {
  override readonly name = "ResponseLabelingError";
}

const UNLABELED: ResourceLabels = { description: "unlabeled", secrecy: label(), integrity: label() };

/**
 * Turns the guard's label_response output (parsed JSON; null when the guard returned nothing)
 * and the backend's tool result into a labelled collection. Returns null when the guard gave no
 * fine-grained labels. Path format when `labeled_paths` is present, else the legacy `items` list.
 */
export function labelResponse(guardOutput: unknown, toolResult: unknown): LabeledCollection | null {
  if (guardOutput === null || guardOutput === undefined) return null;
  if (!isPlainObject(guardOutput)) throw new ResponseLabelingError("label_response output must be a JSON object");
  const parseLabels = labelParser();
  if (Object.hasOwn(guardOutput, "labeled_paths")) return applyPathLabels(guardOutput, toolResult, parseLabels);
  const items = guardOutput["items"];
  if (Array.isArray(items) && items.length > 0) return legacyItems(items, parseLabels);
  return null;
}

/**
 * Where in the guard's output a value sits, for an error message: a text, or an object that makes
 * it when asked, so that thousands of labelled paths do not each build a text only an error shows.
 */
type Place = string | { describe(): string };

function placeText(where: Place): string {
  return typeof where === "string" ? where : where.describe();
}

type LabelParser = (value: unknown, where: Place) => ResourceLabels;

function legacyItems(entries: readonly unknown[], parseLabels: LabelParser): LabeledCollection {
  const items: LabeledItem[] = [];
  entries.forEach((entry, index) => {
    if (!isPlainObject(entry)) return;
    // The reference crashes on an item without labels; treating it as public would leak, so it is an error.
    if (!isPlainObject(entry["labels"])) {
      throw new ResponseLabelingError(`label_response items[${index}] has no "labels" object; every item must be labelled`);
    }
    items.push({ data: entry["data"] ?? null, labels: parseLabels(entry["labels"], `items[${index}].labels`) });
  });
  return { items };
}

function applyPathLabels(output: Record<string, unknown>, toolResult: unknown, parseLabels: LabelParser): LabeledCollection {
  const paths = output["labeled_paths"];
  if (!Array.isArray(paths)) throw new ResponseLabelingError("label_response labeled_paths must be an array");
  const itemsPath = optionalString(output, "items_path");
  const defaults =
    output["default_labels"] === undefined || output["default_labels"] === null ? UNLABELED : parseLabels(output["default_labels"], "default_labels");
  const text = toolResultText(toolResult);
  const spans = text === "" ? null : arrayElementSpans(text, itemsPath === "" ? [] : pointerSegments(withLeadingSlash(itemsPath)));
  if (spans !== null) {
    const labelsAt = pathLabels(paths, itemsPath, spans.length, parseLabels);
    return { items: spans.map((span, index) => new TextSpanItem(text, span, labelsAt[index] ?? defaults)), itemsPath };
  }

  const unwrapped = unwrapToolResult(toolResult);
  let list: readonly unknown[];
  if (itemsPath === "") {
    if (!Array.isArray(unwrapped)) return { items: [{ data: toolResult, labels: defaults }] };
    list = unwrapped;
  } else {
    const pointer = withLeadingSlash(itemsPath);
    let target: unknown;
    try {
      target = resolvePointer(unwrapped, pointer);
    } catch (error) {
      throw new ResponseLabelingError((error as Error).message, { cause: error });
    }
    if (!Array.isArray(target)) throw new ResponseLabelingError(`items_path "${pointer}" does not point to an array`);
    list = target;
  }
  const labelsAt = pathLabels(paths, itemsPath, list.length, parseLabels);
  const items = list.map((data, index) => ({ data, labels: labelsAt[index] ?? defaults }));
  return unwrapped === toolResult ? { items } : { items, itemsPath };
}

/**
 * The labels the guard gave the first `count` elements of the collection at `itemsPath`, by index
 * (a path naming another index labels nothing there is).
 */
function pathLabels(paths: readonly unknown[], itemsPath: string, count: number, parseLabels: LabelParser): Array<ResourceLabels | undefined> {
  const byIndex = new Array<ResourceLabels | undefined>(count).fill(undefined);
  const prefix = itemsPath === "" ? "" : withLeadingSlash(itemsPath);
  const below = `${prefix}/`;
  // One place for every entry, moved along: an error reads it as it is thrown.
  const where = { position: 0, describe: () => `labeled_paths[${where.position}]` };
  const labelsWhere = { describe: () => `${where.describe()}.labels` };
  paths.forEach((entry, position) => {
    where.position = position;
    if (!isPlainObject(entry)) throw new ResponseLabelingError(`label_response ${where.describe()} must be an object`);
    const path = withLeadingSlash(requiredString(entry, "path", where));
    if (prefix !== "" && !path.startsWith(below)) return;
    const index = elementIndex(path, prefix.length);
    if (index === undefined) return;
    // An explicit path without labels would read as public; like a legacy item without labels, it is an error.
    if (!isPlainObject(entry["labels"])) {
      throw new ResponseLabelingError(`label_response ${where.describe()} has no "labels" object; every labelled path needs one`);
    }
    const labels = parseLabels(entry["labels"], labelsWhere);
    if (index >= 0 && index < count) byIndex[index] = labels;
  });
  return byIndex;
}

/** Past this many digits a number may not be exact in a double: read as parseIndex reads it. */
const EXACT_INDEX_DIGITS = 15;

/** The element index a labelled path names after its first `from` characters: "/12" and "/12/title" name 12. */
function elementIndex(path: string, from: number): number | undefined {
  // The usual "/<digits>" read in place, without slicing or a pattern; parseIndex gives the same number.
  const end = path.length;
  if (end > from + 1 && end - from - 1 <= EXACT_INDEX_DIGITS && path.charCodeAt(from) === 0x2f) {
    let index = 0;
    let at = from + 1;
    for (; at < end; at++) {
      const digit = path.charCodeAt(at) - 0x30;
      if (digit < 0 || digit > 9) break;
      index = index * 10 + digit;
    }
    if (at === end) return index;
  }
  const first = pointerSegments(path.slice(from))[0];
  return first === undefined ? undefined : parseIndex(first);
}

const NON_TEXT_CONTENT = new Set(["image", "audio", "resource"]);

/** The JSON inside an MCP tool result's text content, or the result itself when there is none. */
export function unwrapToolResult(toolResult: unknown): unknown {
  const text = toolResultText(toolResult);
  if (text === "") return toolResult;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return toolResult;
  }
}

/** The text content of an MCP tool result, joined; "" when there is none. */
export function toolResultText(toolResult: unknown): string {
  if (!isPlainObject(toolResult) || !Array.isArray(toolResult["content"])) return "";
  let text = "";
  for (const part of toolResult["content"]) {
    if (!isPlainObject(part)) continue;
    const type = part["type"];
    if (typeof type === "string" && NON_TEXT_CONTENT.has(type)) continue;
    if (typeof part["text"] === "string") text += part["text"];
  }
  return text;
}

/**
 * Reads `{description, secrecy, integrity}` objects. Items of one response mostly repeat a few tag
 * lists, so equal lists share one label object (stored sorted): filtering then checks each
 * distinct label once, and sorting for logs is done once.
 */
function labelParser(): LabelParser {
  const empty = label();
  const singles = new Map<string, Label>();
  const lists = new Map<string, Label>();
  const intern = (tags: readonly string[]): Label => {
    // Most lists hold zero or one tag: those are found without building a key.
    if (tags.length === 0) return empty;
    const map = tags.length === 1 ? singles : lists;
    const key = tags.length === 1 ? (tags[0] as string) : JSON.stringify(tags);
    let found = map.get(key);
    if (found === undefined) {
      found = label(sortedTags(tags));
      map.set(key, found);
    }
    return found;
  };
  // Equal labels share one object too: thousands of items then hold a few, not one each.
  const shared = new Map<string, Map<Label, Map<Label, ResourceLabels>>>();
  return (value, where) => {
    if (!isPlainObject(value)) throw new ResponseLabelingError(`label_response ${placeText(where)} must be an object`);
    const description = optionalString(value, "description", where);
    const secrecy = intern(stringEntries(value, "secrecy", where));
    const integrity = intern(stringEntries(value, "integrity", where));
    let bySecrecy = shared.get(description);
    if (bySecrecy === undefined) shared.set(description, (bySecrecy = new Map()));
    let byIntegrity = bySecrecy.get(secrecy);
    if (byIntegrity === undefined) bySecrecy.set(secrecy, (byIntegrity = new Map()));
    let labels = byIntegrity.get(integrity);
    if (labels === undefined) byIntegrity.set(integrity, (labels = { description, secrecy, integrity }));
    return labels;
  };
}

/** Tags are used verbatim; non-string entries are skipped, as the reference does. */
function stringEntries(object: Record<string, unknown>, key: string, where: Place): readonly string[] {
  const value = object[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ResponseLabelingError(`label_response ${placeText(where)}.${key} must be an array of strings`);
  // Read only: the list itself when it holds nothing else, as it nearly always does.
  return value.every((tag) => typeof tag === "string") ? (value as string[]) : value.filter((tag): tag is string => typeof tag === "string");
}

function optionalString(object: Record<string, unknown>, key: string, where: Place = "output"): string {
  const value = object[key];
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new ResponseLabelingError(`label_response ${placeText(where)}.${key} must be a string`);
  return value;
}

function requiredString(object: Record<string, unknown>, key: string, where: Place): string {
  const value = object[key];
  if (typeof value !== "string") throw new ResponseLabelingError(`label_response ${placeText(where)}.${key} must be a string`);
  return value;
}

function withLeadingSlash(path: string): string {
  return path.startsWith("/") ? path : `/${path}`;
}
