// Labels of paths under the policy. Secrecy: one tag per private folder that holds the path.
// Integrity: the trust level of the closest folder with one, expanded to every level below it,
// so "at least as trusted as" is a plain subset check in the gateway.

import { JsonWriter } from "./json-writer";
import { isWithin } from "./paths";
import { LEVEL_BLOCKED, LEVEL_MERGED, Policy } from "./policy";

export class Labels {
  description: string = "";
  secrecy: string[] = [];
  integrity: string[] = [];

  addSecrecy(tags: string[]): void {
    for (let i = 0; i < tags.length; i++) {
      if (!this.secrecy.includes(tags[i])) this.secrecy.push(tags[i]);
    }
  }

  addIntegrity(tags: string[]): void {
    for (let i = 0; i < tags.length; i++) {
      if (!this.integrity.includes(tags[i])) this.integrity.push(tags[i]);
    }
  }

  /** Keeps only integrity tags that other also has (data mixed from both is only as trusted as the weaker). */
  keepCommonIntegrity(other: Labels): void {
    const kept: string[] = [];
    for (let i = 0; i < this.integrity.length; i++) {
      if (other.integrity.includes(this.integrity[i])) kept.push(this.integrity[i]);
    }
    this.integrity = kept;
  }

  write(out: JsonWriter): void {
    out.raw("{").key("description").string(this.description);
    out.raw(",").key("secrecy").stringArray(this.secrecy);
    out.raw(",").key("integrity").stringArray(this.integrity).raw("}");
  }
}

/** Integrity tags of a level: blocked:<scope> alone, or <level>:<scope> for it and every level below. */
export function integrityTags(policy: Policy, level: i32): string[] {
  return policy.levelTags[level].slice(0);
}

export function allPrivateTags(policy: Policy): string[] {
  const tags = policy.privateTags.slice(0);
  if (policy.ownerOnlyPrivate) tags.push(policy.ownerOnlyTag);
  return tags;
}

export function trustLevelOf(policy: Policy, path: string): i32 {
  let level = policy.defaultTrust;
  let matched = -1;
  for (let i = 0; i < policy.trustPaths.length; i++) {
    const folder = policy.trustPaths[i];
    if (folder.length > matched && isWithin(path, folder)) {
      matched = folder.length;
      level = policy.trustLevels[i];
    }
  }
  return level;
}

/**
 * Secrecy tags of everything at or below path: its own, and those of private folders inside it
 * (moving a folder moves the private folders it holds).
 */
export function subtreeSecrecy(policy: Policy, path: string): string[] {
  const tags: string[] = [];
  for (let i = 0; i < policy.privatePaths.length; i++) {
    const folder = policy.privatePaths[i];
    if (isWithin(path, folder) || isWithin(folder, path)) tags.push(policy.privateTags[i]);
  }
  return tags;
}

/** The lowest (lowest: true) or highest trust level of anything at or below path. */
export function subtreeTrust(policy: Policy, path: string, lowest: bool): i32 {
  let level = trustLevelOf(policy, path);
  for (let i = 0; i < policy.trustPaths.length; i++) {
    if (!isWithin(policy.trustPaths[i], path)) continue;
    const inner = policy.trustLevels[i];
    if (lowest ? inner < level : inner > level) level = inner;
  }
  return level;
}

/** Labels of one resolved absolute path; a path outside the root gets the fail-closed read labels. */
export function labelsOfPath(policy: Policy, path: string): Labels {
  if (!isWithin(path, policy.root)) return unknownReadLabels(policy, path);
  const labels = new Labels();
  labels.description = "file:" + path;
  for (let i = 0; i < policy.privatePaths.length; i++) {
    if (isWithin(path, policy.privatePaths[i])) labels.secrecy.push(policy.privateTags[i]);
  }
  labels.integrity = integrityTags(policy, trustLevelOf(policy, path));
  return labels;
}

/**
 * For a read of something the guard cannot place: as secret as the most secret folder and not
 * trusted at all, so only an agent cleared for everything may see it.
 */
export function unknownReadLabels(policy: Policy, what: string): Labels {
  const labels = new Labels();
  labels.description = "unknown:" + what;
  labels.secrecy = allPrivateTags(policy);
  return labels;
}

/** For a write the guard cannot place or must refuse: needs an integrity tag no agent holds. */
export function refusedWriteLabels(policy: Policy, why: string): Labels {
  const labels = new Labels();
  labels.description = why;
  labels.integrity = integrityTags(policy, LEVEL_BLOCKED);
  return labels;
}

/** For information about the server itself (its allowed folders): public and fully trusted. */
export function serverInfoLabels(policy: Policy): Labels {
  const labels = new Labels();
  labels.description = "server:allowed-directories";
  labels.integrity = integrityTags(policy, LEVEL_MERGED);
  return labels;
}

/** Labels of data drawn from several items: union of secrecy, common integrity. */
export function joinLabels(all: Labels[], description: string): Labels {
  const joined = new Labels();
  joined.description = description;
  for (let i = 0; i < all.length; i++) {
    joined.addSecrecy(all[i].secrecy);
    if (i == 0) joined.integrity = all[i].integrity.slice(0);
    else joined.keepCommonIntegrity(all[i]);
  }
  return joined;
}
