/**
 * The file-system side of `svcpath snapshots import PATH`: a collection or snapshot file (JSON,
 * maybe gzipped), a folder of plain dumps, or one plain dump file.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Snapshot } from '@svcpath/api-contract';
import { snapshotFromPlainFiles } from './import-dumps.js';
import type { ImportOptions, PlainFile } from './import-dumps.js';
import { decodeSnapshotDocument, isGzip, snapshotsOf } from './snapshot-codec.js';
import { SnapshotError } from './snapshot-error.js';
import { validateSnapshot } from './validate-snapshot.js';

export type ImportSourceKind = 'collection' | 'snapshot' | 'folder' | 'dump';

async function readOrThrow(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SnapshotError('UNREADABLE', `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`, { file: path });
  }
}

/** A snapshot document starts as a JSON object with a formatVersion; an nft JSON dump does not. */
function looksLikeSnapshotDocument(bytes: Buffer): boolean {
  if (isGzip(bytes)) return true;
  const head = bytes.subarray(0, 4096).toString('utf8');
  return /^\s*\{/.test(head) && /"formatVersion"\s*:/.test(head);
}

/** Reads what PATH holds as snapshots, each validated. Throws SnapshotError naming file and line/field. */
export async function readImportSource(path: string, o: ImportOptions = {}): Promise<{ kind: ImportSourceKind; snapshots: Snapshot[] }> {
  const info = await stat(path).catch(() => null);
  if (info === null) throw new SnapshotError('UNREADABLE', `cannot read ${path}: no such file or folder`, { file: path });
  if (info.isDirectory()) {
    const files: PlainFile[] = [];
    for (const entry of (await readdir(path, { withFileTypes: true })).filter((e) => e.isFile()).sort((a, b) => a.name.localeCompare(b.name)))
      files.push({ name: entry.name, text: (await readOrThrow(join(path, entry.name))).toString('utf8') });
    return { kind: 'folder', snapshots: [snapshotFromPlainFiles(files, { ...o, defaultNode: basename(path) })] };
  }
  const bytes = await readOrThrow(path);
  if (looksLikeSnapshotDocument(bytes)) {
    const doc = decodeSnapshotDocument(bytes, path);
    const snapshots = snapshotsOf(doc).map((s, i) => validateSnapshot(s, doc.kind === 'collection' ? `${path}: snapshots[${i}]` : path));
    return { kind: doc.kind, snapshots };
  }
  const file = { name: basename(path), text: bytes.toString('utf8') };
  return { kind: 'dump', snapshots: [snapshotFromPlainFiles([file], { ...o, defaultNode: 'pasted' })] };
}
