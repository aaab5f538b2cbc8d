// Opening a log file without following a link planted in the log directory: a log directory
// under /tmp is one anybody could have created first, and a symlink there would make the
// gateway append to, truncate or chmod whatever file it points at.
import { constants, openSync } from "node:fs";

const { O_APPEND, O_CREAT, O_NOFOLLOW, O_TRUNC, O_WRONLY } = constants;

const FLAGS = {
  append: O_WRONLY | O_CREAT | O_APPEND,
  truncate: O_WRONLY | O_CREAT | O_TRUNC,
} as const;

/** Opens `path` for writing, creating it with `mode`; a symlink at `path` fails (ELOOP) rather than being followed. */
export function openLogFileSync(path: string, how: keyof typeof FLAGS, mode: number): number {
  return openSync(path, FLAGS[how] | O_NOFOLLOW, mode);
}
