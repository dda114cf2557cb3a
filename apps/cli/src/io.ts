import { isAscii } from 'node:buffer';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Diagnostic } from '@svcpath/parse-iptables';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

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

/**
 * Reads a file the user named, turning I/O errors into a message that names the file. Dumps are
 * nearly always ASCII: then the bytes are the characters, and copying them is cheaper than decoding
 * UTF-8 (a 40 MB dump is read once, at memory speed).
 */
export function readUserFile(io: Io, path: string, what: string): string {
  try {
    return dumpText(readFileSync(resolve(io.cwd, path)));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(e);
    throw new CliError(`cannot read ${what} "${path}": ${why}`, 1);
  }
}

/** A file's bytes as text: copied as they are when ASCII (nearly every dump), else decoded as UTF-8. */
export function dumpText(bytes: Buffer): string {
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

/** A file the user named, open for reading in place (see parse-iptables' ByteSource). */
export interface OpenFile {
  /** The first 64 KB as text: what format detection reads. */
  readonly head: string;
  readonly size: number;
  read(into: Uint8Array, offset: number, length: number, position: number): number;
  close(): void;
}

/** Opens a file the user named, with readUserFile's messages when it cannot be read. */
export function openUserFile(io: Io, path: string, what: string): OpenFile {
  let fd: number;
  try {
    fd = openSync(resolve(io.cwd, path), 'r');
    const stat = fstatSync(fd);
    if (stat.isDirectory()) {
      closeSync(fd);
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    const head = Buffer.allocUnsafe(Math.min(64 * 1024, stat.size));
    let n = 0;
    while (n < head.length) {
      const got = readSync(fd, head, n, head.length - n, n);
      if (got === 0) break;
      n += got;
    }
    const bytes = head.subarray(0, n);
    const file = fd;
    return {
      head: dumpText(bytes),
      size: stat.size,
      read: (into, offset, length, position) => readSync(file, into, offset, length, position),
      close: () => closeSync(file),
    };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(e);
    throw new CliError(`cannot read ${what} "${path}": ${why}`, 1);
  }
}

type Flags<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'];

/**
 * Reads a command's flags strictly. Returns null after printing the help when `--help` was given;
 * a flag the command does not know is a usage error (exit 2) that shows the help.
 */
export function readFlags<O extends ParseArgsOptionsConfig>(args: string[], options: O, help: string, io: Io): Flags<O> | null {
  let values: Flags<O>;
  try {
    values = parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>({ args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${help}`, 2);
  }
  if ((values as { help?: boolean }).help) {
    io.stdout.write(`${help}\n`);
    return null;
  }
  return values;
}

/**
 * Tells the user, on stderr, which lines of their dumps were not understood (warnings and errors,
 * the first 20, each as file:line): a command that answers from what it could read says so.
 */
export function reportDiagnostics(io: Io, diagnostics: readonly Diagnostic[]): void {
  const shown = diagnostics.filter((d) => d.severity !== 'info');
  for (const d of shown.slice(0, 20)) io.stderr.write(`${d.span.file}:${d.span.line}: ${d.severity}: ${d.message} [${d.code}]\n`);
  if (shown.length > 20) io.stderr.write(`... and ${shown.length - 20} more\n`);
}
