import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Where a command writes, so tests can run it in-process. */
export interface Io {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly cwd: string;
}

/** A failure the user can act on; exit code 1 for bad input data, 2 for a bad command line. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** Reads a file the user named, turning I/O errors into a message that names the file. */
export function readUserFile(io: Io, path: string, what: string): string {
  try {
    return readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(e);
    throw new CliError(`cannot read ${what} "${path}": ${why}`, 1);
  }
}
