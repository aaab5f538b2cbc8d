// Opening a log file without following a link planted in the log directory: a log directory
// under /tmp is one anybody could have created first, and a symlink there would make the
// gateway append to, truncate or chmod whatever file it points at. A hard link or a file someone
// else created is refused too: the first would write through to another file, the second would
// hand the writes to whoever owns it. O_NONBLOCK keeps a FIFO planted there from stalling the
// start (its open would wait for a reader); anything but a regular file or a device is refused.
import { closeSync, constants, fstatSync, ftruncateSync, openSync } from "node:fs";

const { O_APPEND, O_CREAT, O_NONBLOCK, O_NOFOLLOW, O_WRONLY } = constants;

const FLAGS = {
  append: O_WRONLY | O_CREAT | O_APPEND,
  truncate: O_WRONLY | O_CREAT,
} as const;

/**
 * Opens `path` for writing, creating it with `mode`; a symlink at `path` fails (ELOOP) rather than
 * being followed, and an existing file with other links or another owner is refused before
 * anything is written to it (a truncating open empties the file only once it is known to be ours).
 */
export function openLogFileSync(path: string, how: keyof typeof FLAGS, mode: number): number {
  const fd = openSync(path, FLAGS[how] | O_NOFOLLOW | O_NONBLOCK, mode);
  try {
    const stats = fstatSync(fd);
    const uid = process.getuid?.();
    // A device node needs root to make, so one at a log file's name was put there on purpose (/dev/null).
    if (!stats.isFile() && !stats.isCharacterDevice()) throw new Error(`${path} is not a regular file; remove it so the gateway can create its own`);
    if (stats.nlink > 1) throw new Error(`${path} has ${stats.nlink} hard links; remove it so the gateway can create its own`);
    if (uid !== undefined && stats.uid !== uid) throw new Error(`${path} is owned by uid ${stats.uid}, not by this user (uid ${uid}); remove it`);
    if (how === "truncate") ftruncateSync(fd);
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
