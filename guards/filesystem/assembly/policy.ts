// The guard's policy: which folders are private, how far each folder is trusted, and the agent's
// starting point. The agent's min-integrity arrives in the label_agent payload's allow-only object,
// which the gateway checks against the GitHub guard's keys; the guard's own fs- settings arrive
// beside it in "guard-config", the gateway's copy of the config file's guards.<name>.config.

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

/** Where the guard's own settings travel in the label_agent payload, beside "allow-only". */
const CONFIG = "guard-config";

/**
 * Reads the label_agent payload {"allow-only": {...}, "guard-config": {...}}: min-integrity from
 * allow-only, every fs- setting from guard-config (optional); every mistake is reported with its key.
 */
export function parsePolicy(payload: JsonValue): PolicyResult {
  const allowOnly = payload.get("allow-only");
  if (allowOnly == null || !allowOnly.isObject()) {
    return fail(
      'the policy needs an "allow-only" object, e.g. {"allow-only":{"repos":"all","min-integrity":"approved"},"guard-config":{"fs-private":["private"]}}',
    );
  }
  for (let i = 0; i < allowOnly.keys.length; i++) {
    const key = allowOnly.keys[i];
    if (key.startsWith("fs-")) {
      return fail(
        "allow-only." + key + " is a filesystem guard setting: move it to the guard's config ([guards.<name>] config = { " +
          key + " = ... }), which the gateway sends as \"" + CONFIG + "\"",
      );
    }
  }
  const minIntegrity = allowOnly.get("min-integrity");
  const min = minIntegrity != null && minIntegrity.isString() ? parseLevel(minIntegrity.str) : -1;
  if (min < LEVEL_NONE) {
    return fail("allow-only.min-integrity must be one of none, unapproved, approved, merged");
  }

  const configValue = payload.get(CONFIG);
  if (configValue != null && !configValue.isObject()) {
    return fail(CONFIG + ' must be an object of filesystem guard settings, e.g. {"fs-private":["private"]}');
  }
  // Absent means every default, read the same way as an empty object.
  const config = configValue != null ? configValue : new JsonValue();
  // The object is the guard's alone, so any key it does not know is a mistake, most likely a typo.
  for (let i = 0; i < config.keys.length; i++) {
    const key = config.keys[i];
    if (!KNOWN_KEYS.includes(key)) {
      return fail(CONFIG + "." + key + " is not a filesystem guard setting; known keys: " + KNOWN_KEYS.join(", "));
    }
  }
  const result = readSettings(config);
  const policy = result.policy;
  if (policy != null) policy.minIntegrity = min;
  return result;
}

/** Reads the fs- settings of the guard-config object into a Policy. */
function readSettings(config: JsonValue): PolicyResult {
  const policy = new Policy();
  const root = config.get("fs-root");
  if (root != null) {
    if (!root.isString() || !root.str.startsWith("/")) {
      return fail(CONFIG + '.fs-root must be the absolute path the server serves, e.g. "/srv/files"');
    }
    policy.root = normalizeAbsolute(root.str);
  }

  const scope = config.get("fs-scope");
  if (scope != null) {
    if (!scope.isString() || scope.str.length == 0 || scope.str.includes(" ")) {
      return fail(CONFIG + '.fs-scope must be a non-empty name without spaces, e.g. "docs"');
    }
    policy.scope = scope.str;
  }

  const privateError = readFolderList(config.get("fs-private"), "fs-private", policy.privateFolders);
  if (privateError.length > 0) return fail(privateError);

  const ownerOnly = config.get("fs-owner-only-private");
  if (ownerOnly != null) {
    if (ownerOnly.kind != KIND_BOOL) return fail(CONFIG + ".fs-owner-only-private must be true or false");
    policy.ownerOnlyPrivate = ownerOnly.bool;
  }
  policy.ownerOnlyTag = "private:" + policy.scope + "/" + OWNER_ONLY_FOLDER;

  const clearanceError = readFolderList(config.get("fs-clearance"), "fs-clearance", policy.clearance);
  if (clearanceError.length > 0) return fail(clearanceError);
  for (let i = 0; i < policy.clearance.length; i++) {
    if (policy.clearance[i] == OWNER_ONLY_FOLDER) {
      if (!policy.ownerOnlyPrivate) {
        return fail(CONFIG + '.fs-clearance entry "' + OWNER_ONLY_FOLDER + '" needs "fs-owner-only-private": true');
      }
      continue;
    }
    if (!policy.privateFolders.includes(policy.clearance[i])) {
      return fail(CONFIG + '.fs-clearance entry "' + policy.clearance[i] + '" is not listed in fs-private');
    }
  }

  const trust = config.get("fs-trust");
  if (trust != null) {
    if (!trust.isObject()) {
      return fail(CONFIG + '.fs-trust must be an object mapping folders to levels, e.g. {"inbox":"none"}');
    }
    for (let i = 0; i < trust.keys.length; i++) {
      const folder = normalizeRelative(trust.keys[i]);
      if (folder == null) return fail(folderError("fs-trust", trust.keys[i]));
      const value = trust.items[i];
      const level = value.isString() ? parseLevel(value.str) : -1;
      if (level < 0) {
        return fail(CONFIG + '.fs-trust["' + trust.keys[i] + '"] must be one of blocked, none, unapproved, approved, merged');
      }
      policy.trustFolders.push(folder);
      policy.trustLevels.push(level);
    }
  }

  const defaultTrust = config.get("fs-default-trust");
  if (defaultTrust != null) {
    const level = defaultTrust.isString() ? parseLevel(defaultTrust.str) : -1;
    if (level < 0) return fail(CONFIG + ".fs-default-trust must be one of blocked, none, unapproved, approved, merged");
    policy.defaultTrust = level;
  }

  const mode = config.get("fs-mode");
  if (mode != null) {
    const name = mode.isString() ? mode.str.trim().toLowerCase() : "";
    if (!MODES.includes(name)) return fail(CONFIG + ".fs-mode must be one of strict, filter, propagate");
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
    CONFIG + "." + key + ' entry "' + folder + '" is invalid: name a folder relative to the served root, without ".." (e.g. "private")'
  );
}

/** Fills out with the normalised folders of an optional string array; returns an error or "". */
function readFolderList(value: JsonValue | null, key: string, out: string[]): string {
  if (value == null) return "";
  if (!value.isArray()) return CONFIG + "." + key + ' must be an array of folders relative to the served root, e.g. ["private"]';
  for (let i = 0; i < value.items.length; i++) {
    const item = value.items[i];
    if (!item.isString()) return CONFIG + "." + key + " must contain only strings";
    const folder = item.str == OWNER_ONLY_FOLDER ? item.str : normalizeRelative(item.str);
    if (folder == null) return folderError(key, item.str);
    if (!out.includes(folder)) out.push(folder);
  }
  return "";
}
