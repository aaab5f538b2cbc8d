import { lstatSync } from "node:fs";

/**
 * Why an existing directory is not safe for the gateway to write its files in, with how to fix
 * it, or undefined. Whoever else can write in it could plant links or files where the gateway's
 * files go, or swap a subdirectory for a link between the check and the write. Another user's
 * directory is accepted when only that user can write in it: in gh-aw the runner creates the
 * log and payload directories on the host and the gateway's container, running as root, writes
 * into them. `setting` names what chose the directory, for the fix.
 */
export function unsafeDirectoryReason(dir: string, setting: string): string | undefined {
  const stats = lstatSync(dir);
  if (stats.isSymbolicLink()) return `it is a symbolic link; give ${setting} the directory it points to`;
  if (!stats.isDirectory()) return "it is not a directory";
  if ((stats.mode & 0o022) !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(4, "0");
    return `it is writable by group or others (mode ${mode}); run chmod go-w ${dir}, or give ${setting} another directory`;
  }
  return undefined;
}
