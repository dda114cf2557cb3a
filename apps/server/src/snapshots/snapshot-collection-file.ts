import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { readSnapshotDocument, snapshotId } from '@svcpath/api-contract';
import { snapshotOfDocument, type Snapshot } from './snapshot';

/** `demo.svcpath.json`, `incident-7.svcpath.json.gz`. */
export function isCollectionFileName(name: string): boolean {
  return /\.svcpath\.json(\.gz)?$/.test(name);
}

/**
 * Reads a svcpath collection (or single snapshot) file in the format of @svcpath/api-contract's
 * snapshot schema, and turns each node's snapshot into the server's Snapshot: its traceable dumps
 * (one view per dataplane, see traceableFiles) and node IPs. Throws with the file name and the
 * first wrong field, so a bad file stops the server with a message rather than showing nothing.
 */
export async function loadCollectionFile(file: string): Promise<Snapshot[]> {
  const bytes = await readFile(file);
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const result = readSnapshotDocument(json);
  if (!result.ok) throw new Error(`${file}: ${result.message}${result.issues.length ? `: ${result.issues.slice(0, 5).join('; ')}` : ''}`);
  const snapshots = result.document.kind === 'collection' ? result.document.collection.snapshots : [result.document.snapshot];
  return snapshots.map((s) => ({ ...snapshotOfDocument(s), id: snapshotId(s.collection, s.node) }));
}
