// POSIX path arithmetic, done the way server-filesystem resolves the paths it is given, so the
// guard labels the file the server will actually touch.

/** Normalises an absolute path: collapses "//", ".", ".." and drops a trailing "/". */
export function normalizeAbsolute(path: string): string {
  const out: string[] = [];
  const segments = path.split("/");
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment == "" || segment == ".") continue;
    if (segment == "..") {
      if (out.length > 0) out.pop();
      continue;
    }
    out.push(segment);
  }
  return "/" + out.join("/");
}

/**
 * Where the server will look for `requested`: absolute paths as given, relative ones under the
 * root. Null when the guard cannot know (a "~" path depends on the server's home directory).
 */
export function resolvePath(root: string, requested: string): string | null {
  if (requested.length == 0 || requested.startsWith("~")) return null;
  if (requested.startsWith("/")) return normalizeAbsolute(requested);
  return normalizeAbsolute(root + "/" + requested);
}

/** True when path is folder itself or lies below it (both normalised absolute paths). */
export function isWithin(path: string, folder: string): bool {
  if (folder == "/") return true;
  if (!path.startsWith(folder)) return false;
  return path.length == folder.length || path.charCodeAt(folder.length) == 0x2f;
}

/**
 * Normalises a folder named relative to the served root ("private", "./inbox/", "" for the root
 * itself). Null when it is absolute, starts with "~" or climbs out with "..".
 */
export function normalizeRelative(folder: string): string | null {
  if (folder.startsWith("/") || folder.startsWith("~")) return null;
  const out: string[] = [];
  const segments = folder.split("/");
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment == "" || segment == ".") continue;
    if (segment == "..") return null;
    out.push(segment);
  }
  return out.join("/");
}

/** The absolute path of a folder given relative to root. */
export function underRoot(root: string, relative: string): string {
  return relative.length == 0 ? root : normalizeAbsolute(root + "/" + relative);
}

/** The path of an entry named `name` inside the normalised folder. */
export function childPath(folder: string, name: string): string {
  if (name == "." || name == ".." || name.includes("/")) return normalizeAbsolute(folder + "/" + name);
  return folder == "/" ? "/" + name : folder + "/" + name;
}
