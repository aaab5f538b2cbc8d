// The guard's policy: which folders are private, how far each folder is trusted, and the agent's
// starting point. It arrives inside the allow-only object of the label_agent payload, under keys
// that start with "fs-", so the gateway's allow-only envelope carries it unchanged.

import { JsonValue, KIND_BOOL } from "./json";
import { normalizeAbsolute, normalizeRelative, underRoot } from "./paths";

export const LEVEL_BLOCKED: i32 = 0;
export const LEVEL_NONE: i32 = 1;
export const LEVEL_APPROVED: i32 = 3;
export const LEVEL_MERGED: i32 = 4;
const LEVEL_NAMES: string[] = ["blocked", "none", "unapproved", "approved", "merged"];

/** Names owner-only files in tags and in fs-clearance; policy folders cannot start with "~". */
export const OWNER_ONLY_FOLDER = "~owner-only";

const MODES: string[] = ["strict", "filter", "propagate"];
const KNOWN_KEYS: string[] = [
  "fs-root",
  "fs-scope",
  "fs-private",
  "fs-clearance",
  "fs-trust",
  "fs-default-trust",
  "fs-mode",
  "fs-owner-only-private",
];

export class Policy {
  /** Absolute path the server serves; "" until configured or learned from the server. */
  root: string = "";
  /** Names this filesystem in tags, so two guarded servers never share tags by accident. */
  scope: string = "fs";
  /** Private folders, relative to root ("" = everything). */
  privateFolders: string[] = [];
  /** Private folders the agent may read from the start. */
  clearance: string[] = [];
  /** Folders with their own trust level, relative to root; the longest match wins. */
  trustFolders: string[] = [];
  trustLevels: i32[] = [];
  defaultTrust: i32 = LEVEL_APPROVED;
  /** The secrecy tag of each private folder: private:<scope>/<folder>, or private:<scope> for the root. */
  privateTags: string[] = [];
  /** Integrity tags per level: blocked:<scope> alone, or <level>:<scope> for it and every level below. */
  levelTags: string[][] = [];
  /** privateFolders and trustFolders as absolute paths, filled in by setRoot. */
  privatePaths: string[] = [];
  trustPaths: string[] = [];
  minIntegrity: i32 = LEVEL_NONE;
  mode: string = "filter";
  /** Whether files only their owner may read are private (checked with get_file_info). */
  ownerOnlyPrivate: bool = false;
  ownerOnlyTag: string = "";
}

/** Fixes the served folder and resolves the policy's folders under it once, not per path. */
export function setRoot(policy: Policy, root: string): void {
  policy.root = root;
  policy.privatePaths = [];
  for (let i = 0; i < policy.privateFolders.length; i++) policy.privatePaths.push(underRoot(root, policy.privateFolders[i]));
  policy.trustPaths = [];
  for (let i = 0; i < policy.trustFolders.length; i++) policy.trustPaths.push(underRoot(root, policy.trustFolders[i]));
}

export class PolicyResult {
  policy: Policy | null = null;
  error: string = "";
}

function fail(message: string): PolicyResult {
  const result = new PolicyResult();
  result.error = message;
  return result;
}

export function levelName(level: i32): string {
  return LEVEL_NAMES[level];
}

/** A level from its name (case-insensitive), or −1. */
export function parseLevel(name: string): i32 {
  const lower = name.trim().toLowerCase();
  for (let i = 0; i < LEVEL_NAMES.length; i++) {
    if (LEVEL_NAMES[i] == lower) return i;
  }
  return -1;
}

/** Reads the label_agent payload {"allow-only": {...}}; every mistake is reported with its key. */
export function parsePolicy(payload: JsonValue): PolicyResult {
  const allowOnly = payload.get("allow-only");
  if (allowOnly == null || !allowOnly.isObject()) {
    return fail(
      'the policy needs an "allow-only" object, e.g. {"allow-only":{"repos":"all","min-integrity":"approved","fs-private":["private"]}}',
    );
  }
  const policy = new Policy();

  for (let i = 0; i < allowOnly.keys.length; i++) {
    const key = allowOnly.keys[i];
    if (key.startsWith("fs-") && !KNOWN_KEYS.includes(key)) {
      return fail('allow-only key "' + key + '" is not a filesystem guard key; known keys: ' + KNOWN_KEYS.join(", "));
    }
  }

  const minIntegrity = allowOnly.get("min-integrity");
  const min = minIntegrity != null && minIntegrity.isString() ? parseLevel(minIntegrity.str) : -1;
  if (min < LEVEL_NONE) {
    return fail("allow-only.min-integrity must be one of none, unapproved, approved, merged");
  }
  policy.minIntegrity = min;

  const root = allowOnly.get("fs-root");
  if (root != null) {
    if (!root.isString() || !root.str.startsWith("/")) {
      return fail('allow-only.fs-root must be the absolute path the server serves, e.g. "/srv/files"');
    }
    policy.root = normalizeAbsolute(root.str);
  }

  const scope = allowOnly.get("fs-scope");
  if (scope != null) {
    if (!scope.isString() || scope.str.length == 0 || scope.str.includes(" ")) {
      return fail('allow-only.fs-scope must be a non-empty name without spaces, e.g. "docs"');
    }
    policy.scope = scope.str;
  }

  const privateError = readFolderList(allowOnly.get("fs-private"), "fs-private", policy.privateFolders);
  if (privateError.length > 0) return fail(privateError);

  const ownerOnly = allowOnly.get("fs-owner-only-private");
  if (ownerOnly != null) {
    if (ownerOnly.kind != KIND_BOOL) return fail("allow-only.fs-owner-only-private must be true or false");
    policy.ownerOnlyPrivate = ownerOnly.bool;
  }
  policy.ownerOnlyTag = "private:" + policy.scope + "/" + OWNER_ONLY_FOLDER;

  const clearanceError = readFolderList(allowOnly.get("fs-clearance"), "fs-clearance", policy.clearance);
  if (clearanceError.length > 0) return fail(clearanceError);
  for (let i = 0; i < policy.clearance.length; i++) {
    if (policy.clearance[i] == OWNER_ONLY_FOLDER) {
      if (!policy.ownerOnlyPrivate) {
        return fail('allow-only.fs-clearance entry "' + OWNER_ONLY_FOLDER + '" needs "fs-owner-only-private": true');
      }
      continue;
    }
    if (!policy.privateFolders.includes(policy.clearance[i])) {
      return fail('allow-only.fs-clearance entry "' + policy.clearance[i] + '" is not listed in fs-private');
    }
  }

  const trust = allowOnly.get("fs-trust");
  if (trust != null) {
    if (!trust.isObject()) {
      return fail('allow-only.fs-trust must be an object mapping folders to levels, e.g. {"inbox":"none"}');
    }
    for (let i = 0; i < trust.keys.length; i++) {
      const folder = normalizeRelative(trust.keys[i]);
      if (folder == null) return fail(folderError("fs-trust", trust.keys[i]));
      const value = trust.items[i];
      const level = value.isString() ? parseLevel(value.str) : -1;
      if (level < 0) {
        return fail(
          'allow-only.fs-trust["' + trust.keys[i] + '"] must be one of blocked, none, unapproved, approved, merged',
        );
      }
      policy.trustFolders.push(folder);
      policy.trustLevels.push(level);
    }
  }

  const defaultTrust = allowOnly.get("fs-default-trust");
  if (defaultTrust != null) {
    const level = defaultTrust.isString() ? parseLevel(defaultTrust.str) : -1;
    if (level < 0) return fail("allow-only.fs-default-trust must be one of blocked, none, unapproved, approved, merged");
    policy.defaultTrust = level;
  }

  const mode = allowOnly.get("fs-mode");
  if (mode != null) {
    const name = mode.isString() ? mode.str.trim().toLowerCase() : "";
    if (!MODES.includes(name)) return fail("allow-only.fs-mode must be one of strict, filter, propagate");
    policy.mode = name;
  }

  for (let i = 0; i < policy.privateFolders.length; i++) {
    const folder = policy.privateFolders[i];
    policy.privateTags.push(folder.length == 0 ? "private:" + policy.scope : "private:" + policy.scope + "/" + folder);
  }
  policy.levelTags = levelTagTable(policy.scope);
  if (policy.root.length > 0) setRoot(policy, policy.root);
  const result = new PolicyResult();
  result.policy = policy;
  return result;
}

function levelTagTable(scope: string): string[][] {
  const table: string[][] = [["blocked:" + scope]];
  for (let level = LEVEL_NONE; level <= LEVEL_MERGED; level++) {
    const tags: string[] = [];
    for (let l = LEVEL_NONE; l <= level; l++) tags.push(LEVEL_NAMES[l] + ":" + scope);
    table.push(tags);
  }
  return table;
}

function folderError(key: string, folder: string): string {
  return (
    "allow-only." + key + ' entry "' + folder + '" is invalid: name a folder relative to the served root, without ".." (e.g. "private")'
  );
}

/** Fills out with the normalised folders of an optional string array; returns an error or "". */
function readFolderList(value: JsonValue | null, key: string, out: string[]): string {
  if (value == null) return "";
  if (!value.isArray()) return "allow-only." + key + ' must be an array of folders relative to the served root, e.g. ["private"]';
  for (let i = 0; i < value.items.length; i++) {
    const item = value.items[i];
    if (!item.isString()) return "allow-only." + key + " must contain only strings";
    const folder = item.str == OWNER_ONLY_FOLDER ? item.str : normalizeRelative(item.str);
    if (folder == null) return folderError(key, item.str);
    if (!out.includes(folder)) out.push(folder);
  }
  return "";
}
