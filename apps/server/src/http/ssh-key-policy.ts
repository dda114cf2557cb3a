import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';

/**
 * Where a collection may take an SSH private key from: the server user's `~/.ssh`, plus the
 * directories named at start in SVCPATH_SSH_KEY_DIRS (`:`-separated). A request names a key by
 * file name (`id_ed25519`) or by a path inside one of them; anything else is refused with one
 * message whether or not the file exists, so the field is no oracle for the server's files.
 */
export function sshKeyDirs(env: Readonly<Record<string, string | undefined>> = process.env, home = homedir()): string[] {
  const extra = (env.SVCPATH_SSH_KEY_DIRS ?? '').split(':').filter((d) => isAbsolute(d));
  return [join(home, '.ssh'), ...extra].map((d) => resolve(d));
}

export const KEY_REFUSED = "keys come only from the server's own ~/.ssh or the directories it was started with (SVCPATH_SSH_KEY_DIRS); give a key file name there";

const inside = (dir: string, p: string) => p === dir || p.startsWith(dir + sep);

/** The key file to read for `given`, or null when it is not in an allowed place. */
export function allowedKeyPath(given: string, dirs: readonly string[], home = homedir()): string | null {
  const expanded = given.startsWith('~/') ? join(home, given.slice(2)) : given;
  const candidates = isAbsolute(expanded) ? [resolve(expanded)] : dirs.map((d) => resolve(d, expanded));
  for (const path of candidates) {
    if (!dirs.some((d) => inside(d, path))) continue;
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      continue; // missing here: another allowed directory may hold it
    }
    // A symlink out of the allowed directories does not count.
    if (dirs.some((d) => inside(realpathOr(d), real))) return real;
  }
  return null;
}

function realpathOr(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/**
 * Replaces the server's own paths in a message meant for the browser (collection problems, job
 * logs) with a neutral word: they say how the server is laid out.
 */
export function hideServerPaths(text: string): string {
  return text.replace(/(?<![\w.~-])(?:~|\/)[^\s'"`:,;)]*\/[^\s'"`:,;)]*/g, '<server file>');
}
