/**
 * Bytes ⇄ snapshot documents: JSON, gzip-compressed when the bytes say so (1f 8b), validated and
 * migrated by @svcpath/api-contract. Errors name the file and the line (JSON syntax) or the field
 * (schema), so a hand-edited or truncated file can be fixed.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  SNAPSHOT_FORMAT_VERSION,
  formatSnapshotDocument,
  readSnapshotDocument,
  safeSnapshotName,
} from '@svcpath/api-contract';
import type { Snapshot, SnapshotCollectionFile, SnapshotDocument } from '@svcpath/api-contract';
import { SnapshotError } from './snapshot-error.js';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Parses JSON, turning V8's message into `file:line: …` where it gives a position. */
function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const line = position ? lineOf(text, Number(position[1])) : /end of JSON/.test(message) ? lineOf(text, text.length) : undefined;
    const where = line === undefined ? file : `${file}:${line}`;
    throw new SnapshotError('INVALID', `${where}: not valid JSON (${message.slice(0, 200)})`, line === undefined ? { file } : { file, line });
  }
}

/** Reads a snapshot or collection file's bytes. Throws SnapshotError INVALID or TOO_NEW. */
export function decodeSnapshotDocument(bytes: Uint8Array, file: string): SnapshotDocument {
  let text: string;
  try {
    text = (isGzip(bytes) ? gunzipSync(bytes) : Buffer.from(bytes)).toString('utf8');
  } catch (error) {
    throw new SnapshotError('INVALID', `${file}: not a readable gzip file (${(error as Error).message})`, { file });
  }
  const result = readSnapshotDocument(parseJson(text, file));
  if (result.ok) return result.document;
  const field = result.issues[0]?.split(':')[0];
  const detail = result.issues.length > 0 ? `:\n  ${result.issues.slice(0, 10).join('\n  ')}` : '';
  throw new SnapshotError(result.code, `${file}: ${result.message}${detail}`, {
    file,
    ...(field ? { field } : {}),
    issues: result.issues,
  });
}

export interface EncodeCollectionOptions {
  readonly gzip?: boolean;
  readonly exportedAt: string;
  readonly comment?: string;
}

/** One file holding `snapshots` (all of one collection). */
export function encodeCollection(collection: string, snapshots: readonly Snapshot[], options: EncodeCollectionOptions): Buffer {
  const doc: SnapshotCollectionFile = {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    kind: 'svcpath-collection',
    ...(options.comment === undefined ? {} : { comment: options.comment }),
    collection: safeSnapshotName(collection),
    exportedAt: options.exportedAt,
    snapshots: [...snapshots],
  };
  const text = Buffer.from(formatSnapshotDocument(doc), 'utf8');
  return options.gzip ? gzipSync(text) : text;
}

/** The snapshots a document holds, whichever kind it is. */
export function snapshotsOf(doc: SnapshotDocument): Snapshot[] {
  return doc.kind === 'snapshot' ? [doc.snapshot] : doc.collection.snapshots;
}
