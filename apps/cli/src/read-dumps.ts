import { bytesSource, scanIptablesSave } from '@svcpath/parse-iptables';
import { detectFormat, type DumpFile } from '@svcpath/ruleset';
import { dumpText, openUserFile, type Io, type OpenFile } from './io';

export interface ReadDumpsOptions {
  /**
   * Scan an iptables-save file from its bytes read whole (39 MB for 10,000 Services) instead of in
   * place: for a command that reads most chains in no particular order (the doctor), which would
   * read the in-place reader's window again for nearly every chain.
   */
  readonly whole?: boolean;
}

/**
 * Reads the dumps a command was given. A node's one iptables-save file is scanned in place
 * (parse-iptables' scan.ts: every line checked, each chain's rules read when a trace walks it), so
 * a 10,000-Service dump is never held whole (unless `whole` asks); whatever the scan leaves to the full parser (a paste,
 * `-I` lines, counters), and every other file, is read as text.
 */
export function readDumps(io: Io, paths: readonly string[], options: ReadDumpsOptions = {}): DumpFile[] {
  const opened = paths.map((path) => ({ path, file: openUserFile(io, path, 'dump') }));
  const iptables = opened.filter((o) => detectFormat(o.file.head) === 'iptables');
  // Several iptables files are merged chain by chain (ruleset's load.ts), which reads every rule.
  const scan = iptables.length === 1 ? iptables[0] : undefined;
  return opened.map(({ path, file }) => {
    try {
      if (file === scan?.file) {
        const bytes = options.whole ? readBytes(file) : null;
        const r = scanIptablesSave(bytes ? bytesSource(bytes) : file, { file: path });
        if (!('refused' in r)) return { name: path, text: r.head, scanned: r };
        if (bytes) return { name: path, text: dumpText(bytes) };
      }
      return { name: path, text: readAll(file) };
    } finally {
      // A file scanned in place stays open: its chains are read from it when walked (closed at exit).
      if (file !== scan?.file || options.whole) file.close();
    }
  });
}

/**
 * Dumps already held as text (a stored snapshot's files), read as readDumps reads files: a node's one
 * iptables-save text is scanned, from its UTF-8 bytes, instead of parsed rule by rule; whatever the
 * scan leaves to the full parser, and every other file, stays as it is.
 */
export function scanTexts(files: readonly { name: string; text: string }[]): DumpFile[] {
  const iptables = files.filter((f) => detectFormat(f.text) === 'iptables');
  if (iptables.length !== 1) return [...files];
  return files.map((f) => {
    if (f !== iptables[0]) return f;
    const r = scanIptablesSave(bytesSource(Buffer.from(f.text, 'utf8')), { file: f.name });
    // The text itself stays: format detection reads it as it did before the scan.
    return 'refused' in r ? f : { name: f.name, text: f.text, scanned: r };
  });
}

function readAll(file: OpenFile): string {
  return dumpText(readBytes(file));
}

function readBytes(file: OpenFile): Buffer {
  const bytes = Buffer.allocUnsafe(file.size);
  let n = 0;
  while (n < bytes.length) {
    const got = file.read(bytes, n, bytes.length - n, n);
    if (got === 0) break;
    n += got;
  }
  return bytes.subarray(0, n);
}

